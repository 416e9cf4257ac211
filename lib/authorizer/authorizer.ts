import { createHash } from 'node:crypto';
import { CedarContext, CedarPolicies } from './cedar';
import { AuthorizerConfig, LIMITS, ResolvedConfig, validateAuthorizerConfig } from './config';
import { fetchJwksBody, JwksFetcher } from './jwks';
import { JwtAuthenticator, JwtIdentity, JwtTrace } from './jwt';
import { DecisionFields, DecisionLog, LogSink, stdoutSink } from './observability';
import { Denial, Reason, ReasonCode, statusOf } from './reasons';
import {
  ApiKeyRecord, ApiKeyStore, AuthorizerStores, hashApiKey, RevocationStore, StoreCallOptions, TenantRecord, TenantStore, TtlCache,
} from './stores';
import type { Authorizer, AuthorizerEvent, AuthorizerResult } from './types';

/** What `createAuthorizer` can be given besides the configuration (tests, benchmarks, other runtimes). */
export interface AuthorizerDependencies {
  /**
   * Stores to use instead of the DynamoDB ones built from `tableName`.
   * @default - DynamoDB stores for `config.tableName`
   */
  readonly stores?: AuthorizerStores;
  /**
   * Where decision lines go.
   * @default - stdout (one JSON line each, read by CloudWatch Logs and its EMF extraction)
   */
  readonly log?: LogSink;
  /**
   * Monotonic clock (ms) for the caches and the JWKS back-off. Token times always use the wall clock.
   * @default performance.now
   */
  readonly clock?: () => number;
  /**
   * JWKS fetcher.
   * @default - one GET over node:http(s) with an AbortController deadline and a 64 KB body cap
   */
  readonly jwksFetcher?: JwksFetcher;
  /**
   * Start fetching every issuer's JWKS as soon as the authorizer is built (at Lambda init), instead of at the first
   * request. A failed prefetch never throws and sets no back-off: the first request fetches again, and is denied if that fails.
   * @default false
   */
  readonly prefetchJwks?: boolean;
}

/** The outcome of the checks: who the caller is, for the Allow. */
interface Authenticated {
  readonly principalId: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly authMethod: 'jwt' | 'apiKey';
  readonly jwt?: JwtIdentity;
  readonly apiKey?: ApiKeyRecord;
  certificateBound: boolean;
}

const PRINTABLE = /^[\x21-\x7E]+$/;
const BEARER = /^Bearer +([^\s]+) *$/i;
/** `Authorization: ApiKey <key>`: lets API-key clients satisfy an authorizer cache keyed on the Authorization header. */
const API_KEY_SCHEME = /^ApiKey +([^\s]+) *$/i;
const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

const principalHashes = new Map<string, string>();
/** A short, non-reversible id for the log (memoized per principal: a hash costs ~4% of a verify). */
function shortHash(value: string): string {
  let hash = principalHashes.get(value);
  if (hash === undefined) {
    hash = createHash('sha256').update(value).digest('hex').slice(0, 16);
    if (principalHashes.size >= LIMITS.maxCacheEntries) principalHashes.clear();
    principalHashes.set(value, hash);
  }
  return hash;
}

/** SHA-256 thumbprint (base64url) of the DER of a PEM certificate: RFC 8705 `x5t#S256`. */
export function certificateThumbprint(pem: string): string | undefined {
  const m = PEM.exec(pem);
  if (!m) return undefined;
  return createHash('sha256').update(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')).digest('base64url');
}

function denyPolicy(principalId: string, methodArn: string): AuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: methodArn }] },
  };
}

/** Case-insensitive single-valued header; a header sent twice is ambiguous and refused. */
function header(event: AuthorizerEvent, name: string): string | undefined {
  let value: string | undefined;
  const multi = event.multiValueHeaders;
  if (multi) {
    for (const k in multi) {
      if (k.length === name.length && k.toLowerCase() === name) {
        const values = multi[k];
        if (values && (values.length > 1 || value !== undefined)) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, `${name} sent more than once`);
        value = values?.[0];
      }
    }
    if (value !== undefined) return value;
  }
  const headers = event.headers;
  if (headers) {
    for (const k in headers) {
      if (k.length === name.length && k.toLowerCase() === name) {
        if (value !== undefined) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, `${name} sent more than once`);
        value = headers[k];
      }
    }
  }
  return value;
}

/**
 * Builds an authorizer: configuration validated, JWKS caches, stores and Cedar policies set up once (per cold
 * start); the returned function makes one decision per request and never throws anything but `Error('Unauthorized')`.
 * Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): Authorizer {
  const injected = (['apiKeys', 'revocations', 'tenants'] as const).filter((k) => deps.stores?.[k] !== undefined);
  const cfg: ResolvedConfig = validateAuthorizerConfig(config, { injectedStores: injected });
  const clock = deps.clock ?? (() => performance.now());
  const log = new DecisionLog(cfg.metricsNamespace, deps.log ?? stdoutSink);

  let apiKeyStore: ApiKeyStore | undefined = deps.stores?.apiKeys;
  let revocationStore: RevocationStore | undefined = deps.stores?.revocations;
  let tenantStore: TenantStore | undefined = deps.stores?.tenants;
  const needsTable = (cfg.apiKeys && !apiKeyStore) || (cfg.revocation.enabled && !revocationStore) || (cfg.tenants.enabled && !tenantStore);
  if (needsTable && cfg.tableName) {
    // Loaded only when a table is used: keeps the AWS SDK out of the cold start of a JWT-only authorizer.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DynamoDbAuthorizerStore } = require('./stores/dynamodb') as typeof import('./stores/dynamodb');
    const table = new DynamoDbAuthorizerStore({ tableName: cfg.tableName, requestTimeoutMs: cfg.storeTimeoutMs });
    apiKeyStore ??= table;
    revocationStore ??= table;
    tenantStore ??= table;
  }
  if (!cfg.revocation.enabled) log.event('WARN', 'token revocation is disabled by configuration (revocation.enabled=false)', {});

  const cedar = cfg.policies !== undefined ? new CedarPolicies(cfg.policies) : undefined;
  const jwt = new JwtAuthenticator(cfg, {
    timeoutMs: cfg.jwksTimeoutMs,
    maxAgeMs: cfg.jwksCacheSeconds * 1000,
    clock,
    fetcher: deps.jwksFetcher ?? fetchJwksBody,
    onFetch: (uri, ms, error) => log.event(error ? 'WARN' : 'INFO', error ? 'JWKS fetch failed' : 'JWKS fetched', {
      jwksUri: uri, latencyMs: Math.round(ms * 1000) / 1000, error: error?.message,
    }),
  });

  if (deps.prefetchJwks) void jwt.warm();

  const keyCache = new TtlCache<ApiKeyRecord | null>(LIMITS.maxCacheEntries, clock);
  const jtiCache = new TtlCache<boolean>(LIMITS.maxCacheEntries, clock);
  const subjectCache = new TtlCache<number | null>(LIMITS.maxCacheEntries, clock);
  const tenantCache = new TtlCache<TenantRecord | null>(LIMITS.maxCacheEntries, clock);

  /** Runs one store call under the store deadline; the signal aborts the SDK request when the deadline passes. */
  async function withDeadline<T>(call: (options: StoreCallOptions) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`store call exceeded its ${cfg.storeTimeoutMs} ms deadline`));
      }, cfg.storeTimeoutMs);
    });
    try {
      return await Promise.race([call({ signal: controller.signal }), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws when revoked; false when the caches cannot answer (the store must be asked). */
  function revocationFromCache(id: JwtIdentity, jtis: readonly string[]): boolean {
    let complete = true;
    for (const j of jtis) {
      const hit = jtiCache.get(j);
      // A cached revocation is final whatever else has expired from the cache.
      if (hit) throw new Denial(Reason.REVOKED, 'jti');
      if (hit === undefined) complete = false;
    }
    const revokedBefore = subjectCache.get(`${id.issuer}#${id.subject}`);
    if (revokedBefore !== undefined && revokedBefore !== null && (id.issuedAt ?? 0) < revokedBefore) throw new Denial(Reason.REVOKED, 'subject');
    return complete && revokedBefore !== undefined;
  }

  async function revocationFromStore(id: JwtIdentity, jtis: readonly string[], fields: DecisionFields): Promise<void> {
    let status;
    try {
      status = await withDeadline((o) => revocationStore!.getRevocationStatus({ issuer: id.issuer, subject: id.subject, jtis }, o));
    } catch (e) {
      if (!cfg.revocation.failOpen) throw new Denial(Reason.REVOCATION_UNAVAILABLE, (e as Error).message);
      fields.degraded = 'revocation_unchecked';
      return;
    }
    const ttl = cfg.revocation.cacheSeconds * 1000;
    const revoked = new Set(status.revokedJtis);
    for (const j of jtis) {
      // A revocation holds until the token expires, so it can be cached that long.
      jtiCache.set(j, revoked.has(j), revoked.has(j) ? Math.max(ttl, id.expiresAt * 1000 - Date.now()) : ttl);
    }
    subjectCache.set(`${id.issuer}#${id.subject}`, status.subjectRevokedBefore ?? null, ttl);
    if (jtis.some((j) => revoked.has(j))) throw new Denial(Reason.REVOKED, 'jti');
    const before = status.subjectRevokedBefore;
    if (before !== undefined && (id.issuedAt ?? 0) < before) throw new Denial(Reason.REVOKED, 'subject');
  }

  function tenantFromCache(tenantId: string): TenantRecord | undefined {
    const record = tenantCache.get(tenantId);
    if (record === undefined) return undefined;
    if (!record) throw new Denial(Reason.TENANT_UNKNOWN);
    if (record.disabled) throw new Denial(Reason.TENANT_DISABLED);
    return record;
  }

  async function checkTenant(tenantId: string): Promise<TenantRecord> {
    let record = tenantCache.get(tenantId);
    if (record === undefined) {
      try {
        record = (await withDeadline((o) => tenantStore!.getTenant(tenantId, o))) ?? null;
      } catch (e) {
        throw new Denial(Reason.TENANT_STORE_UNAVAILABLE, (e as Error).message);
      }
      tenantCache.set(tenantId, record, cfg.tenants.cacheSeconds * 1000);
    }
    if (!record) throw new Denial(Reason.TENANT_UNKNOWN);
    if (record.disabled) throw new Denial(Reason.TENANT_DISABLED);
    return record;
  }

  async function authenticateApiKey(apiKey: string, fields: DecisionFields): Promise<Authenticated> {
    fields.authMethod = 'apiKey';
    if (apiKey.length > LIMITS.maxApiKeyLength || !PRINTABLE.test(apiKey)) throw new Denial(Reason.INVALID_API_KEY, 'malformed');
    const hash = hashApiKey(apiKey);
    let record = keyCache.get(hash);
    if (record === undefined) {
      try {
        record = (await withDeadline((o) => apiKeyStore!.getApiKey(hash, o))) ?? null;
      } catch (e) {
        throw new Denial(Reason.KEY_STORE_UNAVAILABLE, (e as Error).message);
      }
      keyCache.set(hash, record, cfg.apiKeys!.cacheSeconds * 1000);
    }
    if (!record) throw new Denial(Reason.INVALID_API_KEY, 'unknown');
    fields.principal = shortHash(`apikey#${record.keyId}`);
    if (record.disabled) throw new Denial(Reason.API_KEY_DISABLED);
    if (record.expiresAt !== undefined && record.expiresAt * 1000 <= Date.now()) throw new Denial(Reason.API_KEY_EXPIRED);
    if (!TENANT_ID.test(record.tenantId)) throw new Denial(Reason.INVALID_TENANT);
    fields.tenant = record.tenantId;
    return {
      principalId: `apikey:${record.keyId}`,
      tenantId: record.tenantId,
      scopes: record.scopes,
      clientId: record.keyId,
      authMethod: 'apiKey',
      apiKey: record,
      certificateBound: false,
    };
  }

  async function authenticateJwt(authorization: string, event: AuthorizerEvent, fields: DecisionFields): Promise<Authenticated> {
    fields.authMethod = 'jwt';
    const m = BEARER.exec(authorization);
    if (!m) throw new Denial(Reason.MALFORMED_HEADER, 'authorization is not a Bearer token');
    const trace: JwtTrace = {};
    let id: JwtIdentity;
    try {
      id = await jwt.authenticate(m[1], trace);
    } finally {
      fields.issuer = trace.issuer;
      fields.kid = trace.kid;
    }
    fields.tenant = id.tenantId;
    fields.principal = shortHash(`${id.issuer}#${id.subject}`);

    let certificateBound = false;
    const pem = event.requestContext?.identity?.clientCert?.clientCertPem;
    if (id.certificateThumbprint !== undefined) {
      if (!pem) throw new Denial(Reason.CERTIFICATE_REQUIRED, 'token is certificate-bound; no client certificate presented');
      if (certificateThumbprint(pem) !== id.certificateThumbprint) throw new Denial(Reason.CERTIFICATE_MISMATCH);
      certificateBound = true;
    } else if (cfg.certificateBinding.required) {
      throw new Denial(Reason.CERTIFICATE_REQUIRED, 'configuration requires certificate-bound tokens');
    }
    if (cfg.revocation.enabled) {
      const jtis = [id.jti, id.originJti].filter((j): j is string => j !== undefined);
      if (!revocationFromCache(id, jtis)) await revocationFromStore(id, jtis, fields);
    }
    return {
      principalId: id.subject,
      tenantId: id.tenantId,
      scopes: id.scopes,
      clientId: id.clientId ?? '',
      authMethod: 'jwt',
      jwt: id,
      certificateBound,
    };
  }

  function cedarContext(who: Authenticated, event: AuthorizerEvent, route: string): CedarContext {
    const amr = who.jwt?.amr ?? [];
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (typeof v === 'string') params[k] = v;
    const now = new Date();
    return {
      tenant: who.tenantId,
      authMethod: who.authMethod,
      issuer: who.jwt?.issuer ?? '',
      subject: who.jwt?.subject ?? '',
      clientId: who.clientId,
      scopes: [...who.scopes],
      groups: [...(who.jwt?.groups ?? [])],
      roles: [...(who.jwt?.roles ?? [])],
      amr: [...amr],
      mfa: amr.includes('mfa') || new Set(amr).size >= 2,
      params,
      route,
      sourceIp: event.requestContext?.identity?.sourceIp ?? '',
      certificateBound: who.certificateBound,
      mtls: Boolean(event.requestContext?.identity?.clientCert?.clientCertPem),
      time: Math.floor(now.getTime() / 1000),
      hourUtc: now.getUTCHours(),
      dayOfWeekUtc: now.getUTCDay(),
    };
  }

  async function decide(event: AuthorizerEvent, fields: DecisionFields): Promise<{ who: Authenticated; usageKey?: string }> {
    const method = event.httpMethod ?? event.requestContext?.httpMethod ?? '';
    const resource = event.resource ?? event.requestContext?.resourcePath ?? '';
    const routeKey = `${method} ${resource}`;
    fields.route = routeKey;
    const route = cfg.routes.get(routeKey) ?? cfg.routes.get(`ANY ${resource}`);
    if (!route) throw new Denial(Reason.ROUTE_NOT_LISTED);

    const authorization = header(event, 'authorization');
    const apiKeyHeader = cfg.apiKeys ? header(event, cfg.apiKeys.header) : undefined;
    const schemeKey = cfg.apiKeys && authorization !== undefined ? API_KEY_SCHEME.exec(authorization)?.[1] : undefined;
    let who: Authenticated;
    if (schemeKey !== undefined) {
      // The same key may also travel in the key header (the WAF's per-key rate limit reads it); two different keys are ambiguous.
      if (apiKeyHeader !== undefined && apiKeyHeader !== schemeKey) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'two different API keys');
      who = await authenticateApiKey(schemeKey, fields);
    } else if (authorization !== undefined && apiKeyHeader !== undefined) {
      throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'both a bearer token and an API key');
    } else if (authorization !== undefined && cfg.issuers.length > 0) {
      who = await authenticateJwt(authorization, event, fields);
    } else if (apiKeyHeader !== undefined) {
      who = await authenticateApiKey(apiKeyHeader, fields);
    } else {
      throw new Denial(authorization !== undefined ? Reason.MALFORMED_HEADER : Reason.NO_CREDENTIALS);
    }

    let usageKey: string | undefined;
    if (cfg.tenants.enabled) usageKey = (tenantFromCache(who.tenantId) ?? await checkTenant(who.tenantId)).meteringKey;

    for (const scope of route.scopes) if (!who.scopes.includes(scope)) throw new Denial(Reason.INSUFFICIENT_SCOPE, scope);

    if (cedar) {
      const answer = cedar.isAuthorized({
        principal: who.authMethod === 'jwt' ? { type: 'User', id: who.principalId } : { type: 'ApiClient', id: who.clientId },
        action: routeKey,
        resource: event.path ?? resource,
        context: cedarContext(who, event, routeKey),
      });
      if (!answer.allowed) {
        throw new Denial(answer.errors.length > 0 ? Reason.POLICY_ERROR : Reason.POLICY_DENY, answer.errors.join('; ').slice(0, 300) || undefined);
      }
    }
    return { who, usageKey };
  }

  return async function authorize(event: AuthorizerEvent): Promise<AuthorizerResult> {
    const started = performance.now();
    const fields: DecisionFields = { decision: 'deny', status: 401, reason: Reason.INTERNAL_ERROR, latencyMs: 0 };
    let reason: ReasonCode;
    let principalId = 'anonymous';
    try {
      fields.requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId.slice(0, 128) : undefined;
      const { who, usageKey } = await decide(event, fields);
      const result: AuthorizerResult = {
        principalId: who.principalId,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
        context: {
          principalId: who.principalId,
          tenantId: who.tenantId,
          scopes: who.scopes.join(' '),
          clientId: who.clientId,
          authMethod: who.authMethod,
        },
      };
      if (usageKey !== undefined) result.usageIdentifierKey = usageKey;
      fields.decision = 'allow';
      fields.status = 200;
      fields.reason = Reason.ALLOWED;
      fields.latencyMs = performance.now() - started;
      log.decision(fields);
      return result;
    } catch (e) {
      if (e instanceof Denial) {
        reason = e.reason;
        if (e.message !== e.reason) fields.detail = e.message.slice(0, 300);
      } else {
        reason = Reason.INTERNAL_ERROR;
        fields.detail = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : 'non-error thrown';
      }
      if (fields.principal) principalId = fields.principal;
    }
    const status = statusOf(reason);
    fields.reason = reason;
    fields.status = status;
    fields.latencyMs = performance.now() - started;
    log.decision(fields);
    if (status === 403 && typeof event?.methodArn === 'string') return denyPolicy(principalId, event.methodArn);
    throw new Error('Unauthorized');
  };
}
