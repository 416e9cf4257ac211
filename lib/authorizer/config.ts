/**
 * The authorizer's configuration: the JSON the handler reads once per cold start (see config-source.ts) and the shape the
 * constructs render at synth time. {@link validateAuthorizerConfig} is pure and throws an
 * {@link AuthorizerConfigError} naming the field, the value received and the fix.
 */
import { AuthorizerMetrics } from '../spec/contracts/metrics';
import { SecureApiPlatformError } from '../spec/errors';

/** Signature algorithms the authorizer can verify (never `none`, never HMAC: no shared secrets, no key confusion). */
export const SUPPORTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Token types an issuer entry accepts (Cognito's `token_use` claim). */
export type TokenUse = 'access' | 'id';

/** One trusted token issuer (Amazon Cognito or any OpenID Connect provider). */
export interface IssuerConfig {
  /** Exact value of the `iss` claim; https (loopback hosts may use http, for tests). */
  readonly issuer: string;
  /** Where the issuer publishes its JWKS; https (loopback hosts may use http). */
  readonly jwksUri: string;
  /**
   * Accepted `aud` values: at least one must be present in the token.
   * @default - not checked; `clientIds` must then be given (Cognito access tokens carry `client_id`, not `aud`)
   */
  readonly audience?: string[];
  /**
   * Accepted `client_id` values (Cognito access tokens, RFC 9068 tokens). For `tokenUse: 'id'`, matched against `aud`.
   * @default - not checked; `audience` must then be given
   */
  readonly clientIds?: string[];
  /**
   * Accepted signature algorithms, matched against the token header and the JWK.
   * @default ['RS256']
   */
  readonly algorithms?: JwtAlgorithm[];
  /**
   * When set, the `token_use` claim must equal it (Cognito). Set `'access'` for Cognito user pools.
   * @default - `token_use` is not required; if present it must be `access`
   */
  readonly tokenUse?: TokenUse;
  /**
   * Claim holding the tenant id. The tenant is only ever taken from a validated token or an API key's record.
   * @default 'tenant_id'
   */
  readonly tenantClaim?: string;
  /**
   * Require a `jti` claim (needed to revoke a single token) when revocation is enabled.
   * @default true
   */
  readonly requireJti?: boolean;
  /**
   * Resource-server prefixes this authorizer accepts: Cognito grants resource-server scopes as `<identifier>/<scope>`
   * (e.g. `orders/orders:read` for the route scope `orders:read`). When set, only scopes carrying one of these prefixes
   * count (stripped of it); every other scope of the token is ignored, so `billing/admin` never passes a route of
   * the `orders` API that requires `admin`. Give each API's authorizer its own prefix only.
   * @default - none: scopes are compared as issued
   */
  readonly scopePrefixes?: string[];
  /**
   * The tenants this issuer may assert; a token naming another is refused (`invalid_tenant`, 401).
   * @default - any tenant
   */
  readonly tenants?: string[];
  /**
   * A boolean claim that means "signed in with MFA" (the platform's trigger sets `mfa_authenticated` in Cognito access
   * tokens, which carry no `amr`). Without it, MFA means `amr` contains `mfa` (RFC 8176).
   * @default - `amr` contains `mfa`
   */
  readonly mfaClaim?: string;
}

/** What a route demands beyond a valid credential. */
export interface RouteConfig {
  /**
   * Every one of these scopes must be granted (token `scope`/`scp`, or the API key's scopes). Empty (or left out): the
   * route is for any authenticated caller, with no scope required (the credential, revocation, tenant and Cedar checks
   * still apply).
   * @default - no scope required
   */
  readonly scopes?: string[];
}

/** API keys for machine clients, looked up by SHA-256 hash. */
export interface ApiKeyOptions {
  /**
   * A request header that may carry the key, besides `Authorization: ApiKey <key>` (always accepted). `null`: only the
   * Authorization header, as behind an API Gateway authorizer cache (whose identity sources are all mandatory).
   * @default 'x-api-key'
   */
  readonly header?: string | null;
  /**
   * How long a key record (or its absence) is cached in memory; bounds how late a disabled key is noticed.
   * @default 60
   */
  readonly cacheSeconds?: number;
}

/** The `jti` / `origin_jti` / subject deny-list. */
export interface RevocationOptions {
  /**
   * Check the deny-list. Turning it off is an explicit, logged opt-out.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Allow requests when the store cannot be reached. Off by default: an unreachable store denies (fail closed).
   * @default false
   */
  readonly failOpen?: boolean;
  /**
   * How long a "not revoked" answer is cached in memory (a "revoked" answer is cached until the token expires).
   * @default 30
   */
  readonly cacheSeconds?: number;
}

/** Tenant records: enabled flag and the internal usage-plan metering key. */
export interface TenantOptions {
  /**
   * Look up the tenant record (must exist and not be disabled); its metering key becomes `usageIdentifierKey`.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * How long a tenant record is cached in memory.
   * @default 60
   */
  readonly cacheSeconds?: number;
}

/** RFC 8705 certificate-bound access tokens. */
export interface CertificateBindingOptions {
  /**
   * Require every JWT to be certificate-bound (`cnf["x5t#S256"]`). A bound token is always checked against the
   * mTLS client certificate, whatever this says.
   * @default false
   */
  readonly required?: boolean;
}

/** The authorizer's configuration (JSON-serializable: it travels in the code asset, see config-source.ts). */
export interface AuthorizerConfig {
  /** Trusted issuers; at least one unless `apiKeys` is set. */
  readonly issuers: IssuerConfig[];
  /** `'METHOD /resource'` (API Gateway resource path, e.g. `'GET /orders/{id}'`) → requirements. Unlisted routes are denied. */
  readonly routes: Record<string, RouteConfig>;
  /**
   * Deadline for one JWKS fetch (connect, response and body).
   * @default 1500
   */
  readonly jwksTimeoutMs?: number;
  /**
   * How long a fetched JWKS is trusted before it is fetched again (a stale set is kept if the refresh fails).
   * @default 3600
   */
  readonly jwksCacheSeconds?: number;
  /**
   * Tolerated clock difference for `exp`, `nbf` and `iat`.
   * @default 60
   */
  readonly clockSkewSeconds?: number;
  /**
   * Longest accepted token lifetime (`exp` - `iat`).
   * @default 86400
   */
  readonly maxTokenLifetimeSeconds?: number;
  /**
   * Cedar policies (text), parsed once per cold start. When set, a request must also be permitted by them.
   * @default - no Cedar evaluation (route scopes only)
   */
  readonly policies?: string;
  /**
   * The single DynamoDB table (`pk`/`sk` strings, `ttl` number) holding API keys, revocations and tenants.
   * The region comes from `AWS_REGION`.
   * @default - no table: revocation and tenants must be disabled or their stores injected
   */
  readonly tableName?: string;
  /**
   * Deadline for one store (DynamoDB) lookup.
   * @default 500
   */
  readonly storeTimeoutMs?: number;
  /**
   * API keys for machine clients.
   * @default - API keys are not accepted
   */
  readonly apiKeys?: ApiKeyOptions;
  /**
   * Token revocation.
   * @default - enabled, fail closed, 30 s cache
   */
  readonly revocation?: RevocationOptions;
  /**
   * Tenant records.
   * @default - enabled, 60 s cache
   */
  readonly tenants?: TenantOptions;
  /**
   * Certificate-bound tokens.
   * @default - bound tokens are checked; unbound tokens are accepted
   */
  readonly certificateBinding?: CertificateBindingOptions;
  /**
   * CloudWatch namespace of the embedded-metric-format decision counts.
   * @default 'SecureApiPlatform/Authorizer'
   */
  readonly metricsNamespace?: string;
}

/** A configuration error: names the field, the value received and the fix. */
export class AuthorizerConfigError extends SecureApiPlatformError {
  constructor(readonly field: string, message: string) {
    super(`AuthorizerConfig.${field}: ${message}`);
    this.name = 'AuthorizerConfigError';
  }
}

/** Limits and defaults that are not configurable (documented so operators know them). */
export const LIMITS = {
  /** Longest accepted token (characters), checked before any parsing. */
  maxTokenLength: 8192,
  /** Largest accepted JWKS response body. */
  maxJwksBytes: 64 * 1024,
  /** Most keys kept from one JWKS. */
  maxJwksKeys: 32,
  /** Shortest RSA modulus accepted. */
  minRsaBits: 2048,
  /** An unknown `kid` refetches the JWKS at most this often per issuer (no fetch storm from forged tokens). */
  unknownKidRefetchMs: 10_000,
  /** After a failed JWKS fetch, the next attempt waits this long. */
  failedFetchRetryMs: 2_000,
  /** Longest accepted `kid`, tenant id, API key. */
  maxKidLength: 256,
  maxApiKeyLength: 256,
  /** Entries kept in each in-memory cache (oldest evicted first). */
  maxCacheEntries: 10_000,
} as const;

/** The configuration with every default applied. */
export interface ResolvedConfig {
  readonly issuers: ReadonlyArray<Required<Omit<IssuerConfig, 'audience' | 'clientIds' | 'tokenUse' | 'tenants' | 'mfaClaim'>> & IssuerConfig>;
  readonly routes: ReadonlyMap<string, { readonly scopes: readonly string[] }>;
  readonly jwksTimeoutMs: number;
  readonly jwksCacheSeconds: number;
  readonly clockSkewSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  readonly policies?: string;
  readonly tableName?: string;
  readonly storeTimeoutMs: number;
  readonly apiKeys?: { readonly header?: string; readonly cacheSeconds: number };
  readonly revocation: { readonly enabled: boolean; readonly failOpen: boolean; readonly cacheSeconds: number };
  readonly tenants: { readonly enabled: boolean; readonly cacheSeconds: number };
  readonly certificateBinding: { readonly required: boolean };
  readonly metricsNamespace: string;
}

const ROUTE_KEY = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|ANY) (\/[A-Za-z0-9._~:@!$&'()*+,;=%{}\-/]*)$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const CLAIM_NAME = /^[A-Za-z0-9_:./-]{1,128}$/;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;
const NAMESPACE = /^[A-Za-z0-9_./#:-]{1,255}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

function fail(field: string, value: unknown, fix: string): never {
  throw new AuthorizerConfigError(field, `${fix} (received: ${show(value)})`);
}

function checkUrl(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) fail(field, value, 'must be a non-empty URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(field, value, 'must be an absolute URL, e.g. "https://idp.example.com"');
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    fail(field, value, 'must use https (http is accepted for loopback hosts only: 127.0.0.1, ::1, localhost)');
  }
  if (url.username || url.password) fail(field, value, 'must not embed credentials');
  if (url.hash) fail(field, value, 'must not carry a #fragment');
}

function checkInt(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, value, `must be an integer between ${min} and ${max}`);
  }
}

function checkBool(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(field, value, 'must be true or false');
}

/** `allowEmpty`: an empty list is meaningful (route scopes: none required). */
function checkStringList(field: string, value: unknown, pattern?: RegExp, allowEmpty = false): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || (value.length === 0 && !allowEmpty)) fail(field, value, 'must be a non-empty array of strings (or be left out)');
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || (pattern && !pattern.test(item))) {
      fail(`${field}[${i}]`, item, pattern ? `must be a string matching ${pattern}` : 'must be a non-empty string');
    }
  });
}

function checkObject(field: string, value: unknown): value is Record<string, unknown> {
  if (value === undefined) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, value, 'must be an object');
  return true;
}

function checkKnownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`${field}.${key}`, value[key], `is not a known option (known: ${known.join(', ')}); check the spelling`);
  }
}

const TOP_LEVEL_KEYS = [
  'issuers', 'routes', 'jwksTimeoutMs', 'jwksCacheSeconds', 'clockSkewSeconds', 'maxTokenLifetimeSeconds', 'policies',
  'tableName', 'storeTimeoutMs', 'apiKeys', 'revocation', 'tenants', 'certificateBinding', 'metricsNamespace',
] as const;
const ISSUER_KEYS = [
  'issuer', 'jwksUri', 'audience', 'clientIds', 'algorithms', 'tokenUse', 'tenantClaim', 'requireJti', 'scopePrefixes', 'tenants', 'mfaClaim',
] as const;

/** Options of {@link validateAuthorizerConfig}. */
export interface ValidateOptions {
  /**
   * Stores that will be injected into `createAuthorizer` instead of being built from `tableName`.
   * @default - none: every enabled store needs `tableName`
   */
  readonly injectedStores?: ReadonlyArray<'apiKeys' | 'revocations' | 'tenants'>;
}

/**
 * Validates an authorizer configuration (pure: no I/O, does not change its input) and returns it with every default
 * applied. Throws an {@link AuthorizerConfigError} naming the field, the value received and the fix. Cedar policy
 * syntax is checked separately by `checkCedarPolicies` (it loads the Cedar engine).
 */
export function validateAuthorizerConfig(config: unknown, options: ValidateOptions = {}): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return fail('(root)', config, 'must be an object with at least `issuers` and `routes`');
  }
  const c = config as Record<string, unknown>;
  checkKnownKeys('(root)', c, TOP_LEVEL_KEYS);

  if (!Array.isArray(c.issuers)) fail('issuers', c.issuers, 'must be an array of issuer objects (may be empty only when `apiKeys` is set)');
  const issuersIn = c.issuers as unknown[];
  if (issuersIn.length === 0 && c.apiKeys === undefined) {
    fail('issuers', issuersIn, 'must list at least one issuer, or set `apiKeys` for an API-key-only authorizer');
  }
  const seen = new Set<string>();
  const issuers = issuersIn.map((raw, i) => {
    const f = `issuers[${i}]`;
    if (!checkObject(f, raw)) return fail(f, raw, 'must be an object');
    checkKnownKeys(f, raw, ISSUER_KEYS);
    checkUrl(`${f}.issuer`, raw.issuer);
    checkUrl(`${f}.jwksUri`, raw.jwksUri);
    const issuer = raw.issuer as string;
    if (seen.has(issuer)) fail(`${f}.issuer`, issuer, 'is listed twice; merge the two entries');
    seen.add(issuer);
    checkStringList(`${f}.audience`, raw.audience);
    checkStringList(`${f}.clientIds`, raw.clientIds);
    if (raw.audience === undefined && raw.clientIds === undefined) {
      fail(f, { issuer }, 'needs `audience` (the `aud` values to accept) or `clientIds` (Cognito access tokens carry `client_id`, not `aud`)');
    }
    checkStringList(`${f}.algorithms`, raw.algorithms);
    for (const [j, alg] of ((raw.algorithms as string[] | undefined) ?? []).entries()) {
      if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
        fail(`${f}.algorithms[${j}]`, alg, `must be one of ${SUPPORTED_ALGORITHMS.join(', ')} (none and HMAC are never accepted)`);
      }
    }
    if (raw.tokenUse !== undefined && raw.tokenUse !== 'access' && raw.tokenUse !== 'id') {
      fail(`${f}.tokenUse`, raw.tokenUse, "must be 'access' or 'id' (or be left out)");
    }
    if (raw.tenantClaim !== undefined && (typeof raw.tenantClaim !== 'string' || !CLAIM_NAME.test(raw.tenantClaim))) {
      fail(`${f}.tenantClaim`, raw.tenantClaim, `must be a claim name matching ${CLAIM_NAME}`);
    }
    checkBool(`${f}.requireJti`, raw.requireJti);
    checkStringList(`${f}.scopePrefixes`, raw.scopePrefixes);
    for (const [j, prefix] of ((raw.scopePrefixes as string[] | undefined) ?? []).entries()) {
      if (prefix.includes('/') || prefix.length === 0) fail(`${f}.scopePrefixes[${j}]`, prefix, 'must be a resource-server identifier without "/" (the "/" separator is implied)');
    }
    checkStringList(`${f}.tenants`, raw.tenants, TENANT_ID);
    if (raw.mfaClaim !== undefined && (typeof raw.mfaClaim !== 'string' || !CLAIM_NAME.test(raw.mfaClaim))) {
      fail(`${f}.mfaClaim`, raw.mfaClaim, `must be a claim name matching ${CLAIM_NAME}`);
    }
    return {
      ...(raw as unknown as IssuerConfig),
      algorithms: [...new Set((raw.algorithms as JwtAlgorithm[] | undefined) ?? ['RS256'])] as JwtAlgorithm[],
      tenantClaim: (raw.tenantClaim as string | undefined) ?? 'tenant_id',
      requireJti: (raw.requireJti as boolean | undefined) ?? true,
      scopePrefixes: [...((raw.scopePrefixes as string[] | undefined) ?? [])],
    };
  });

  if (!checkObject('routes', c.routes)) return fail('routes', c.routes, "must be an object like { 'GET /orders/{id}': { scopes: ['orders:read'] } }");
  const routes = new Map<string, { scopes: string[] }>();
  for (const [key, route] of Object.entries(c.routes)) {
    if (!ROUTE_KEY.test(key)) fail(`routes["${key}"]`, key, "key must be 'METHOD /resource' with an upper-case method and the API Gateway resource path, e.g. 'GET /orders/{id}'");
    if (!checkObject(`routes["${key}"]`, route)) fail(`routes["${key}"]`, route, 'must be an object (use {} for no scopes)');
    checkKnownKeys(`routes["${key}"]`, route as Record<string, unknown>, ['scopes']);
    const scopes = (route as RouteConfig).scopes;
    checkStringList(`routes["${key}"].scopes`, scopes, /^[\x21\x23-\x5B\x5D-\x7E]+$/, true);
    routes.set(key, { scopes: [...new Set(scopes ?? [])] });
  }
  if (routes.size === 0) fail('routes', c.routes, 'must list at least one route: an authorizer without routes denies everything');

  checkInt('jwksTimeoutMs', c.jwksTimeoutMs, 50, 10_000);
  checkInt('jwksCacheSeconds', c.jwksCacheSeconds, 60, 86_400);
  checkInt('clockSkewSeconds', c.clockSkewSeconds, 0, 300);
  checkInt('maxTokenLifetimeSeconds', c.maxTokenLifetimeSeconds, 60, 7 * 86_400);
  checkInt('storeTimeoutMs', c.storeTimeoutMs, 20, 10_000);
  if (c.policies !== undefined && (typeof c.policies !== 'string' || c.policies.trim() === '')) {
    fail('policies', c.policies, 'must be non-empty Cedar policy text (or be left out)');
  }
  if (c.tableName !== undefined && (typeof c.tableName !== 'string' || !TABLE_NAME.test(c.tableName))) {
    fail('tableName', c.tableName, `must be a DynamoDB table name matching ${TABLE_NAME}`);
  }
  if (c.metricsNamespace !== undefined && (typeof c.metricsNamespace !== 'string' || !NAMESPACE.test(c.metricsNamespace))) {
    fail('metricsNamespace', c.metricsNamespace, `must be a CloudWatch namespace matching ${NAMESPACE}`);
  }

  let apiKeys: ResolvedConfig['apiKeys'];
  if (checkObject('apiKeys', c.apiKeys)) {
    checkKnownKeys('apiKeys', c.apiKeys, ['header', 'cacheSeconds']);
    const header = c.apiKeys.header === undefined ? 'x-api-key' : c.apiKeys.header;
    if (header !== null) {
      if (typeof header !== 'string' || !HEADER_NAME.test(header)) fail('apiKeys.header', header, `must be a header name matching ${HEADER_NAME}, or null`);
      if ((header as string).toLowerCase() === 'authorization') {
        fail('apiKeys.header', header, 'must not be `authorization` (keys are always accepted there as `ApiKey <key>`); use null for the Authorization header only');
      }
    }
    checkInt('apiKeys.cacheSeconds', c.apiKeys.cacheSeconds, 0, 3600);
    const cacheSeconds = (c.apiKeys.cacheSeconds as number | undefined) ?? 60;
    apiKeys = header === null ? { cacheSeconds } : { header: (header as string).toLowerCase(), cacheSeconds };
  }

  const revocationIn = checkObject('revocation', c.revocation) ? c.revocation : {};
  checkKnownKeys('revocation', revocationIn, ['enabled', 'failOpen', 'cacheSeconds']);
  checkBool('revocation.enabled', revocationIn.enabled);
  checkBool('revocation.failOpen', revocationIn.failOpen);
  checkInt('revocation.cacheSeconds', revocationIn.cacheSeconds, 0, 300);
  const revocation = {
    enabled: (revocationIn.enabled as boolean | undefined) ?? true,
    failOpen: (revocationIn.failOpen as boolean | undefined) ?? false,
    cacheSeconds: (revocationIn.cacheSeconds as number | undefined) ?? 30,
  };

  const tenantsIn = checkObject('tenants', c.tenants) ? c.tenants : {};
  checkKnownKeys('tenants', tenantsIn, ['enabled', 'cacheSeconds']);
  checkBool('tenants.enabled', tenantsIn.enabled);
  checkInt('tenants.cacheSeconds', tenantsIn.cacheSeconds, 0, 3600);
  const tenants = { enabled: (tenantsIn.enabled as boolean | undefined) ?? true, cacheSeconds: (tenantsIn.cacheSeconds as number | undefined) ?? 60 };

  const bindingIn = checkObject('certificateBinding', c.certificateBinding) ? c.certificateBinding : {};
  checkKnownKeys('certificateBinding', bindingIn, ['required']);
  checkBool('certificateBinding.required', bindingIn.required);

  const injected = new Set(options.injectedStores ?? []);
  if (c.tableName === undefined) {
    if (revocation.enabled && !injected.has('revocations')) {
      fail('tableName', c.tableName, 'is required while revocation is enabled (the default); set it, or opt out with `revocation: { enabled: false }`');
    }
    if (tenants.enabled && !injected.has('tenants')) {
      fail('tableName', c.tableName, 'is required while tenant records are enabled (the default); set it, or opt out with `tenants: { enabled: false }`');
    }
    if (apiKeys && !injected.has('apiKeys')) fail('tableName', c.tableName, 'is required when `apiKeys` is set (keys are looked up by hash in the table)');
  }

  return {
    issuers,
    routes,
    jwksTimeoutMs: (c.jwksTimeoutMs as number | undefined) ?? 1500,
    jwksCacheSeconds: (c.jwksCacheSeconds as number | undefined) ?? 3600,
    clockSkewSeconds: (c.clockSkewSeconds as number | undefined) ?? 60,
    maxTokenLifetimeSeconds: (c.maxTokenLifetimeSeconds as number | undefined) ?? 86_400,
    policies: c.policies as string | undefined,
    tableName: c.tableName as string | undefined,
    storeTimeoutMs: (c.storeTimeoutMs as number | undefined) ?? 500,
    apiKeys,
    revocation,
    tenants,
    certificateBinding: { required: (bindingIn.required as boolean | undefined) ?? false },
    metricsNamespace: (c.metricsNamespace as string | undefined) ?? AuthorizerMetrics.namespace,
  };
}
