/**
 * The authorizer's configuration: the JSON the handler reads once per cold start (see config-source.ts) and the shape the
 * constructs render at synth time: the types, the fixed limits and the error. The validator that checks a configuration
 * and applies its defaults is `validateAuthorizerConfig` (config-validate.ts).
 */
import type { SignatureAlgorithm } from '../spec/contracts/identity';
import { SecureApiPlatformError } from '../spec/errors';


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
   * Accepted signature algorithms (any of `SIGNATURE_ALGORITHMS`), matched against the token header and the JWK.
   * @default ['RS256']
   */
  readonly algorithms?: SignatureAlgorithm[];
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
