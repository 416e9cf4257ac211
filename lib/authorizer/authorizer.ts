import { createHash } from 'node:crypto';
import { CedarContextSource, CedarPolicies } from './cedar';
import { AuthorizerConfig, LIMITS, ResolvedConfig, validateAuthorizerConfig } from './config';
import { fetchJwksBody, JwksFetcher } from './jwks';
import { JwtAuthenticator, JwtIdentity, JwtTrace } from './jwt';
import { DecisionFields, DecisionLog, LogSink, stdoutSink } from './observability';
import { Denial, Reason, ReasonCode, statusOf } from './reasons';
import {
  ApiKeyRecord, ApiKeyStore, AuthorizerStores, hashApiKey, RevocationStore, StoreCallOptions, TenantRecord, TenantStore, TtlCache,
} from './stores';
import type {
  Authorizer, AuthorizerEvent, AuthorizerRequest, AuthorizerResult, Decider, Decision,
} from './types';
import { warmUpVerifyPaths } from './warmup';
import { API_KEY_SCHEME as API_KEY_SCHEME_NAME, AUTHORIZATION_HEADER, apiKeyPrincipal, jwtPrincipal } from '../spec/contracts/identity';

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
   * @default process.hrtime, in milliseconds
   */
  readonly clock?: () => number;
  /**
   * JWKS fetcher.
   * @default - one GET over node:http(s) with an AbortController deadline and a 64 KB body cap
   */
  readonly jwksFetcher?: JwksFetcher;
  /**
   * Start fetching every issuer's JWKS as soon as the authorizer is built (at Lambda init), instead of at the first
   * request, and warm node:crypto's verify paths right after (see `warmUpVerifyPaths`). A failed prefetch never throws and
   * sets no back-off: the first request fetches again, and is denied if that fails.
   * @default false
   */
  readonly prefetchJwks?: boolean;
}

/** A route's requirements, as the resolved configuration holds them. */
type RouteScopes = { readonly scopes: readonly string[] };

/** The outcome of the checks: who the caller is, for the Allow. */
interface Authenticated {
  readonly principalId: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  /** `scopes` space-separated, for the gateway's context. */
  readonly scopeText: string;
  readonly clientId: string;
  readonly authMethod: 'jwt' | 'apiKey';
  readonly jwt?: JwtIdentity;
  readonly apiKey?: ApiKeyRecord;
  certificateBound: boolean;
}

interface Decided {
  readonly who: Authenticated;
  readonly usageKey?: string;
}

/**
 * Monotonic milliseconds. process.hrtime rather than `performance.now()`: the `performance` global loads perf_hooks
 * on first use, ~2 ms of a cold start, for the same reading.
 */
function monotonicMs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1000 + nanos / 1e6;
}

const PRINTABLE = /^[\x21-\x7E]+$/;
/** `Authorization: ApiKey <key>`: lets API-key clients satisfy an authorizer cache keyed on the Authorization header. */
const API_KEY_SCHEME = new RegExp(`^${API_KEY_SCHEME_NAME} +([^\\s]+) *$`, 'i');
const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Short, non-reversible ids for the log: SHA-256 of `<scope>#<id>`, memoized per scope (an issuer, or `apikey`) and id
 * (a hash costs ~4% of a verify). Two levels rather than one map keyed by the joined string: the join would be built,
 * flattened and hashed on every decision.
 */
const principalHashes = new Map<string, Map<string, string>>();
let principalHashCount = 0;
function shortHash(scope: string, id: string): string {
  let ids = principalHashes.get(scope);
  let hash = ids?.get(id);
  if (hash === undefined) {
    hash = createHash('sha256').update(`${scope}#${id}`).digest('hex').slice(0, 16);
    if (principalHashCount >= LIMITS.maxCacheEntries) {
      principalHashes.clear();
      principalHashCount = 0;
      ids = undefined;
    }
    if (!ids) principalHashes.set(scope, ids = new Map());
    ids.set(id, hash);
    principalHashCount++;
  }
  return hash;
}

/**
 * The token of `Authorization: Bearer <token>` (scheme in any case, spaces around the token), or undefined. The token is
 * not scanned for whitespace here (that scan costs ~3% of an RS256 verify on an 800-character token): the JWT parser
 * accepts only base64url segments and dots, so a token with whitespace in it is refused there (`malformed_token`).
 */
export function bearerToken(authorization: string): string | undefined {
  // Typed as a string, but a malformed event can carry anything in a header.
  if (typeof authorization !== 'string' || authorization.length < 8 || authorization.charCodeAt(6) !== 32 || authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  let start = 7;
  while (authorization.charCodeAt(start) === 32) start++;
  let end = authorization.length;
  while (end > start && authorization.charCodeAt(end - 1) === 32) end--;
  return end > start ? authorization.slice(start, end) : undefined;
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
function header(event: AuthorizerRequest, name: string): string | undefined {
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

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The Cedar actions of route keys: `METHOD /resource` as is, `ANY /resource` as one per HTTP method. */
function routeActions(routeKeys: Iterable<string>): string[] {
  const actions: string[] = [];
  for (const key of routeKeys) {
    if (key.startsWith('ANY ')) for (const m of HTTP_METHODS) actions.push(`${m} ${key.slice(4)}`);
    else actions.push(key);
  }
  return actions;
}

/**
 * Builds the cloud-neutral decision: configuration validated, JWKS caches, stores and Cedar policies set up once (per
 * cold start); the returned function makes one decision per request, logs it, and never throws. The API Gateway
 * authorizer (`createAuthorizer`) and the Azure Function (`adapters/azure-function`) are thin adapters around it.
 * Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createDecider(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): Decider {
  const injected = (['apiKeys', 'revocations', 'tenants'] as const).filter((k) => deps.stores?.[k] !== undefined);
  const cfg: ResolvedConfig = validateAuthorizerConfig(config, { injectedStores: injected });
  const clock = deps.clock ?? monotonicMs;
  const log = new DecisionLog(cfg.metricsNamespace, deps.log ?? stdoutSink);

  const jwt = new JwtAuthenticator(cfg, {
    timeoutMs: cfg.jwksTimeoutMs,
    maxAgeMs: cfg.jwksCacheSeconds * 1000,
    clock,
    fetcher: deps.jwksFetcher ?? fetchJwksBody,
    onFetch: (uri, ms, error) => log.jwksFetch(uri, ms, error),
  });

  if (deps.prefetchJwks) {
    // First, so its DNS lookup runs while the rest of the init (stores, the AWS SDK, Cedar) does (Node opens the
    // connection once init yields); the first-use costs of the verify paths are paid right after (setImmediate), before
    // the response is processed, instead of inside the first decision.
    void jwt.warm();
    const algorithms = new Set(cfg.issuers.flatMap((i) => i.algorithms));
    setImmediate(() => warmUpVerifyPaths(algorithms));
  }

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

  // The actions Cedar can be asked about are the route keys (unlisted routes are denied first); an ANY route's, each method's.
  const cedar = cfg.policies !== undefined ? new CedarPolicies(cfg.policies, { actions: routeActions(cfg.routes.keys()) }) : undefined;
  // Which engine evaluates the policies (compiled closures, or cedar-wasm for a set outside the compiled subset), once per cold start.
  if (cedar) log.event(cedar.engine === 'compiled' ? 'INFO' : 'WARN', 'Cedar policies loaded', { engine: cedar.engine, fallbackReason: cedar.fallbackReason });

  const keyCache = new TtlCache<ApiKeyRecord | null>(LIMITS.maxCacheEntries, clock);
  const jtiCache = new TtlCache<boolean>(LIMITS.maxCacheEntries, clock);
  /** Subject revocations ("tokens issued before"), per configured issuer, by subject. */
  const subjectCaches = new Map(cfg.issuers.map((i) => [i.issuer, new TtlCache<number | null>(LIMITS.maxCacheEntries, clock)]));
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
  function revocationFromCache(id: JwtIdentity, subjects: TtlCache<number | null>, jtis: readonly string[], now: number): boolean {
    let complete = true;
    for (const j of jtis) {
      const hit = jtiCache.get(j, now);
      // A cached revocation is final whatever else has expired from the cache.
      if (hit) throw new Denial(Reason.REVOKED, 'jti');
      if (hit === undefined) complete = false;
    }
    const revokedBefore = subjects.get(id.subject, now);
    if (revokedBefore !== undefined && revokedBefore !== null && (id.issuedAt ?? 0) < revokedBefore) throw new Denial(Reason.REVOKED, 'subject');
    return complete && revokedBefore !== undefined;
  }

  async function revocationFromStore(
    id: JwtIdentity, subjects: TtlCache<number | null>, jtis: readonly string[], fields: DecisionFields,
  ): Promise<void> {
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
    subjects.set(id.subject, status.subjectRevokedBefore ?? null, ttl);
    if (jtis.some((j) => revoked.has(j))) throw new Denial(Reason.REVOKED, 'jti');
    const before = status.subjectRevokedBefore;
    if (before !== undefined && (id.issuedAt ?? 0) < before) throw new Denial(Reason.REVOKED, 'subject');
  }

  function tenantFromCache(tenantId: string, now: number): TenantRecord | undefined {
    const record = tenantCache.get(tenantId, now);
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

  /** Synchronous when the key's record is cached (the hot path); a promise when the store must be asked. */
  function authenticateApiKey(apiKey: string, fields: DecisionFields, now: number): Authenticated | Promise<Authenticated> {
    fields.authMethod = 'apiKey';
    if (apiKey.length > LIMITS.maxApiKeyLength || !PRINTABLE.test(apiKey)) throw new Denial(Reason.INVALID_API_KEY, 'malformed');
    const hash = hashApiKey(apiKey);
    const cached = keyCache.get(hash, now);
    if (cached !== undefined) return apiKeyIdentity(cached, fields);
    return withDeadline((o) => apiKeyStore!.getApiKey(hash, o)).then((found) => {
      const record = found ?? null;
      keyCache.set(hash, record, cfg.apiKeys!.cacheSeconds * 1000);
      return apiKeyIdentity(record, fields);
    }, (e: unknown) => {
      throw new Denial(Reason.KEY_STORE_UNAVAILABLE, (e as Error).message);
    });
  }

  function apiKeyIdentity(record: ApiKeyRecord | null, fields: DecisionFields): Authenticated {
    if (!record) throw new Denial(Reason.INVALID_API_KEY, 'unknown');
    fields.principal = shortHash('apikey', record.keyId);
    if (record.disabled) throw new Denial(Reason.API_KEY_DISABLED);
    if (record.expiresAt !== undefined && record.expiresAt * 1000 <= Date.now()) throw new Denial(Reason.API_KEY_EXPIRED);
    if (!TENANT_ID.test(record.tenantId)) throw new Denial(Reason.INVALID_TENANT);
    fields.tenant = record.tenantId;
    return {
      principalId: apiKeyPrincipal(record.keyId),
      tenantId: record.tenantId,
      scopes: record.scopes,
      scopeText: record.scopes.join(' '),
      clientId: record.keyId,
      authMethod: 'apiKey',
      apiKey: record,
      certificateBound: false,
    };
  }

  /** Synchronous when the JWKS key and the revocation answers are cached (the hot path: no promise, no await). */
  function authenticateJwt(
    authorization: string, event: AuthorizerRequest, fields: DecisionFields, now: number,
  ): Authenticated | Promise<Authenticated> {
    fields.authMethod = 'jwt';
    const token = bearerToken(authorization);
    if (token === undefined) throw new Denial(Reason.MALFORMED_HEADER, 'authorization is not a Bearer token');
    const trace: JwtTrace = { issuer: undefined, kid: undefined };
    let id: JwtIdentity | Promise<JwtIdentity>;
    try {
      id = jwt.authenticate(token, trace, now);
    } finally {
      // Set before any fetch starts, so these hold for the asynchronous path too.
      fields.issuer = trace.issuer;
      fields.kid = trace.kid;
    }
    // After a fetch, the clock has moved on: the caches are read at the time of the read.
    return id instanceof Promise ? id.then((i) => jwtIdentity(i, event, fields, clock())) : jwtIdentity(id, event, fields, now);
  }

  function jwtIdentity(id: JwtIdentity, event: AuthorizerRequest, fields: DecisionFields, now: number): Authenticated | Promise<Authenticated> {
    fields.tenant = id.tenantId;
    fields.principal = shortHash(id.issuer, id.subject);

    let certificateBound = false;
    const pem = event.requestContext?.identity?.clientCert?.clientCertPem;
    if (id.certificateThumbprint !== undefined) {
      if (!pem) throw new Denial(Reason.CERTIFICATE_REQUIRED, 'token is certificate-bound; no client certificate presented');
      if (certificateThumbprint(pem) !== id.certificateThumbprint) throw new Denial(Reason.CERTIFICATE_MISMATCH);
      certificateBound = true;
    } else if (cfg.certificateBinding.required) {
      throw new Denial(Reason.CERTIFICATE_REQUIRED, 'configuration requires certificate-bound tokens');
    }
    const who: Authenticated = {
      principalId: jwtPrincipal(id.issuer, id.subject),
      tenantId: id.tenantId,
      scopes: id.scopes,
      scopeText: id.scopeText,
      clientId: id.clientId ?? '',
      authMethod: 'jwt',
      jwt: id,
      certificateBound,
    };
    if (cfg.revocation.enabled) {
      const jtis: string[] = [];
      if (id.jti !== undefined) jtis.push(id.jti);
      if (id.originJti !== undefined) jtis.push(id.originJti);
      const subjects = subjectCaches.get(id.issuer)!;
      if (!revocationFromCache(id, subjects, jtis, now)) return revocationFromStore(id, subjects, jtis, fields).then(() => who);
    }
    return who;
  }

  /**
   * The request's Cedar context, one attribute at a time: Cedar is sent only the attributes (and path parameters) the
   * policies that can apply to the action read, so only those are built.
   */
  function cedarContext(who: Authenticated, event: AuthorizerRequest, route: string): CedarContextSource {
    let now: Date | undefined;
    const amr = who.jwt?.amr ?? [];
    return (key) => {
      switch (key) {
        case 'tenant': return who.tenantId;
        case 'authMethod': return who.authMethod;
        case 'issuer': return who.jwt?.issuer ?? '';
        case 'subject': return who.jwt?.subject ?? '';
        case 'clientId': return who.clientId;
        // Read-only views, not copies: Cedar converts them to its own values and never writes to them.
        case 'scopes': return who.scopes as string[];
        case 'groups': return (who.jwt?.groups ?? []) as string[];
        case 'roles': return (who.jwt?.roles ?? []) as string[];
        case 'amr': return amr as string[];
        case 'mfa': return who.jwt?.mfa ?? false;
        // Every path parameter; CedarPolicies keeps those the policies read, with a string value.
        case 'params': return (event.pathParameters ?? {}) as Record<string, string>;
        case 'route': return route;
        case 'sourceIp': return event.requestContext?.identity?.sourceIp ?? '';
        case 'certificateBound': return who.certificateBound;
        case 'mtls': return Boolean(event.requestContext?.identity?.clientCert?.clientCertPem);
        // One reading of the clock for the three time attributes.
        case 'time': return Math.floor((now ??= new Date()).getTime() / 1000);
        case 'hourUtc': return (now ??= new Date()).getUTCHours();
        case 'dayOfWeekUtc': return (now ??= new Date()).getUTCDay();
        default: throw new Error(`unknown Cedar context attribute ${String(key)}`);
      }
    };
  }

  /** Synchronous when every answer it needs is cached; a promise when a store or the JWKS endpoint must be asked. */
  function decide(event: AuthorizerRequest, fields: DecisionFields, now: number): Decided | Promise<Decided> {
    const method = event.httpMethod ?? event.requestContext?.httpMethod ?? '';
    const resource = event.resource ?? event.requestContext?.resourcePath ?? '';
    const routeKey = `${method} ${resource}`;
    fields.route = routeKey;
    const route = cfg.routes.get(routeKey) ?? cfg.routes.get(`ANY ${resource}`);
    if (!route) throw new Denial(Reason.ROUTE_NOT_LISTED);

    const authorization = header(event, AUTHORIZATION_HEADER);
    const apiKeyHeader = cfg.apiKeys?.header !== undefined ? header(event, cfg.apiKeys.header) : undefined;
    const schemeKey = cfg.apiKeys && authorization !== undefined ? API_KEY_SCHEME.exec(authorization)?.[1] : undefined;
    let who: Authenticated | Promise<Authenticated>;
    if (schemeKey !== undefined) {
      // The same key may also travel in the key header (the WAF's per-key rate limit reads it); two different keys are ambiguous.
      if (apiKeyHeader !== undefined && apiKeyHeader !== schemeKey) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'two different API keys');
      who = authenticateApiKey(schemeKey, fields, now);
    } else if (authorization !== undefined && apiKeyHeader !== undefined) {
      throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'both a bearer token and an API key');
    } else if (authorization !== undefined && cfg.issuers.length > 0) {
      who = authenticateJwt(authorization, event, fields, now);
    } else if (apiKeyHeader !== undefined) {
      who = authenticateApiKey(apiKeyHeader, fields, now);
    } else {
      throw new Denial(authorization !== undefined ? Reason.MALFORMED_HEADER : Reason.NO_CREDENTIALS);
    }
    return who instanceof Promise
      ? who.then((w) => authorizeRequest(w, route, routeKey, resource, event, clock()))
      : authorizeRequest(who, route, routeKey, resource, event, now);
  }

  function authorizeRequest(
    who: Authenticated, route: RouteScopes, routeKey: string, resource: string, event: AuthorizerRequest, now: number,
  ): Decided | Promise<Decided> {
    if (!cfg.tenants.enabled) return authorizeAccess(who, undefined, route, routeKey, resource, event);
    const tenant = tenantFromCache(who.tenantId, now);
    if (tenant !== undefined) return authorizeAccess(who, tenant.meteringKey, route, routeKey, resource, event);
    return checkTenant(who.tenantId).then((t) => authorizeAccess(who, t.meteringKey, route, routeKey, resource, event));
  }

  function authorizeAccess(
    who: Authenticated, usageKey: string | undefined, route: RouteScopes, routeKey: string, resource: string, event: AuthorizerRequest,
  ): Decided {
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

  return async function decideRequest(event: AuthorizerRequest): Promise<Decision> {
    const started = monotonicMs();
    // Every member present from the start: one object shape for every decision (no shape transitions as members are set).
    const fields: DecisionFields = {
      decision: 'deny',
      status: 401,
      reason: Reason.INTERNAL_ERROR,
      latencyMs: 0,
      requestId: undefined,
      route: undefined,
      authMethod: undefined,
      issuer: undefined,
      kid: undefined,
      tenant: undefined,
      principal: undefined,
      detail: undefined,
      degraded: undefined,
    };
    let reason: ReasonCode;
    let principalId = 'anonymous';
    try {
      fields.requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId.slice(0, 128) : undefined;
      // One clock reading for every cache lookup of this decision (the default clock is the one `started` read).
      let decided = decide(event, fields, deps.clock ? clock() : started);
      if (decided instanceof Promise) decided = await decided;
      const { who, usageKey } = decided;
      const result: Decision = {
        allowed: true,
        status: 200,
        reason: Reason.ALLOWED,
        principalId: who.principalId,
        context: {
          principalId: who.principalId,
          tenantId: who.tenantId,
          scopes: who.scopeText,
          clientId: who.clientId,
          authMethod: who.authMethod,
        },
        usageKey,
      };
      fields.decision = 'allow';
      fields.status = 200;
      fields.reason = Reason.ALLOWED;
      fields.latencyMs = monotonicMs() - started;
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
    fields.latencyMs = monotonicMs() - started;
    log.decision(fields);
    return { allowed: false, status, reason, principalId };
  };
}

/**
 * Builds the API Gateway authorizer around {@link createDecider}: an Allow policy with the context, a Deny policy
 * (403), or `Error('Unauthorized')` (401). Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): Authorizer {
  const decide = createDecider(config, deps);
  return async function authorize(event: AuthorizerEvent): Promise<AuthorizerResult> {
    const d = await decide(event);
    if (d.allowed) {
      const result: AuthorizerResult = {
        principalId: d.principalId,
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
        context: d.context,
      };
      if (d.usageKey !== undefined) result.usageIdentifierKey = d.usageKey;
      return result;
    }
    if (d.status === 403 && typeof event?.methodArn === 'string') return denyPolicy(d.principalId, event.methodArn);
    throw new Error('Unauthorized');
  };
}
