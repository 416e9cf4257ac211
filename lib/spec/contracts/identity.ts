/**
 * The identity contract: names and limits that the renderers (Cognito pool, trigger, API Gateway authorizer, WAF) and the
 * runtime (authorizer, pre-token-generation trigger, CLI) must agree on. Defined once here, imported by every side.
 */
import { DEPLOY_LIMITS } from './limits';

/** The one header every credential travels in: a bearer token, or an API key as `ApiKey <key>`. The gateway's cache key. */
export const AUTHORIZATION_HEADER = 'authorization';

/** The same header as API Gateway identity sources, CORS lists and APIM policies spell it. */
export const AUTHORIZATION_HEADER_NAME = 'Authorization';

/**
 * Scheme of an API key in the Authorization header (`Authorization: ApiKey <key>`). One header for both kinds of
 * credential: with the authorizer cache on, API Gateway answers 401 itself to a request missing any identity source,
 * so a key in a header of its own would never reach the authorizer.
 */
export const API_KEY_SCHEME = 'ApiKey';

/**
 * The JWS signature algorithms (RFC 7518 §3) an issuer may sign with: the spec accepts exactly these, the authorizer
 * verifies every one of them (node:crypto; PS* with RSASSA-PSS, MGF1 and a salt as long as the digest, RFC 7518 §3.5),
 * and the Azure gateway pre-validates the subset API Management documents. Asymmetric only: `none` and HMAC (a secret
 * shared with the issuer, RS/HS key confusion) are never accepted.
 */
export const SIGNATURE_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** The algorithms of an issuer that names none. */
export const DEFAULT_SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['RS256'];

/** Whether a value is one of {@link SIGNATURE_ALGORITHMS}. */
export function isSignatureAlgorithm(value: unknown): value is SignatureAlgorithm {
  return typeof value === 'string' && (SIGNATURE_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * A tenant id, wherever one is written or read: token claims, API-key and tenant records, issuers' tenant lists, the
 * CLI's arguments. No `#`: tenant ids are parts of the store's composite keys.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The claim that carries the tenant id in access tokens (added by the platform's trigger for Cognito callers). */
export const DEFAULT_TENANT_CLAIM = 'tenant_id';

/**
 * Platform claim set to `true` by the pre-token-generation trigger when the caller is a native user of an MFA-required
 * pool (every sign-in passed a second factor), or a federated user whose IdP asserted `mfa` in `amr`. Cognito access
 * tokens carry no `amr`, and a trigger may not set `amr`, hence a claim of the platform's own.
 */
export const MFA_CLAIM = 'mfa_authenticated';

/** The RFC 8176 `amr` value that means multi-factor authentication (`["pwd","kba"]` is not MFA). */
export const AMR_MFA = 'mfa';

/** User-pool custom attributes the trigger reads (Cognito prefixes them with `custom:`). */
export const PoolAttributes = {
  /** The tenant of a native user: set by administrators only (no app client may write it). */
  tenant: 'tenant_id',
  /** The tenant a federated user's IdP asserted (mapped from the issuer's tenant claim at every sign-in). */
  federatedTenant: 'idp_tenant',
  /** The `amr` a federated user's IdP asserted (mapped explicitly; only `mfa` in it counts). */
  federatedAmr: 'idp_amr',
} as const;

/** `custom:<name>`: how Cognito names a custom attribute in events and APIs. */
export function customAttribute(name: string): string {
  return `custom:${name}`;
}

/**
 * The scope prefix of an API: Cognito grants resource-server scopes as `<identifier>/<scope>`, and each API's resource
 * server identifier is the API's name. An API's authorizer accepts only scopes with its own prefix.
 */
export function scopePrefix(apiName: string): string {
  return apiName;
}

/** Issuer-qualified principal of a token's subject: equal subjects of two issuers are two principals. */
export function jwtPrincipal(issuer: string, subject: string): string {
  return `${issuer}#${subject}`;
}

/** Principal of an API key (never confused with a token's: those start with the issuer's https URL). */
export function apiKeyPrincipal(keyId: string): string {
  return `apikey:${keyId}`;
}

/** The three delays between `token revoke` and the last allowed request of a revoked token. */
export interface RevocationTimes {
  /** API Gateway's authorizer result cache (an Allow is reused this long). */
  readonly gatewayCacheSeconds: number;
  /** The authorizer's in-memory cache of "not revoked" answers. */
  readonly authorizerCacheSeconds: number;
  /** Budget for the global table to replicate a revocation to every region. */
  readonly replicationLagSeconds: number;
}

/** Defaults: a revocation holds everywhere within 60 s. */
export const REVOCATION_DEFAULTS: RevocationTimes = { gatewayCacheSeconds: 20, authorizerCacheSeconds: 25, replicationLagSeconds: 15 };

/** The bound the platform promises when the spec keeps the defaults. */
export const DEFAULT_REVOCATION_BOUND_SECONDS = 60;

/** End-to-end revocation bound: gateway TTL + authorizer cache + replication lag, in seconds. */
export function revocationBoundSeconds(times: RevocationTimes): number {
  return times.gatewayCacheSeconds + times.authorizerCacheSeconds + times.replicationLagSeconds;
}

/** API Gateway allows at most this many authorizers per REST API (one per distinct cache TTL here). */
export const MAX_AUTHORIZERS_PER_API = DEPLOY_LIMITS.authorizersPerRestApi;

/**
 * The body message of a refused request, on both clouds (API Gateway responses, APIM policies, the authorizer function,
 * the backends): the status only, never the reason (reasons stay in the decision log). API Gateway answers 401 only
 * when a Lambda authorizer fails with exactly `Error('Unauthorized')`, so the AWS authorizer throws `DENIAL_MESSAGES[401]`.
 */
export const DENIAL_MESSAGES = { 401: 'Unauthorized', 403: 'Forbidden' } as const;
