/**
 * Decision reason codes. Every decision carries exactly one; it goes to the log line and the metric dimension,
 * never to the client (which only ever sees 401, 403 or the allow).
 */
import { SecureApiPlatformError } from '../spec/errors';

export const Reason = {
  ALLOWED: 'allowed',
  // 401: no usable credential
  NO_CREDENTIALS: 'no_credentials',
  AMBIGUOUS_CREDENTIALS: 'ambiguous_credentials',
  MALFORMED_HEADER: 'malformed_header',
  TOKEN_TOO_LARGE: 'token_too_large',
  MALFORMED_TOKEN: 'malformed_token',
  ALG_NOT_ALLOWED: 'alg_not_allowed',
  CRIT_HEADER: 'crit_header',
  EMBEDDED_KEY_HEADER: 'embedded_key_header',
  UNKNOWN_ISSUER: 'unknown_issuer',
  MISSING_KID: 'missing_kid',
  UNKNOWN_KID: 'unknown_kid',
  JWKS_UNAVAILABLE: 'jwks_unavailable',
  WEAK_KEY: 'weak_key',
  KEY_MISMATCH: 'key_mismatch',
  BAD_SIGNATURE: 'bad_signature',
  EXPIRED: 'expired',
  NOT_YET_VALID: 'not_yet_valid',
  MISSING_EXP: 'missing_exp',
  IAT_IN_FUTURE: 'iat_in_future',
  LIFETIME_TOO_LONG: 'lifetime_too_long',
  WRONG_AUDIENCE: 'wrong_audience',
  WRONG_TOKEN_USE: 'wrong_token_use',
  WRONG_CLIENT: 'wrong_client',
  INVALID_CLAIM: 'invalid_claim',
  MISSING_SUBJECT: 'missing_subject',
  MISSING_JTI: 'missing_jti',
  REVOKED: 'revoked',
  REVOCATION_UNAVAILABLE: 'revocation_unavailable',
  CERTIFICATE_REQUIRED: 'certificate_required',
  CERTIFICATE_MISMATCH: 'certificate_mismatch',
  INVALID_API_KEY: 'invalid_api_key',
  API_KEY_DISABLED: 'api_key_disabled',
  API_KEY_EXPIRED: 'api_key_expired',
  KEY_STORE_UNAVAILABLE: 'key_store_unavailable',
  MISSING_TENANT: 'missing_tenant',
  INVALID_TENANT: 'invalid_tenant',
  TENANT_STORE_UNAVAILABLE: 'tenant_store_unavailable',
  CONFIG_ERROR: 'config_error',
  INTERNAL_ERROR: 'internal_error',
  // 403: authenticated, not allowed
  ROUTE_NOT_LISTED: 'route_not_listed',
  INSUFFICIENT_SCOPE: 'insufficient_scope',
  TENANT_UNKNOWN: 'tenant_unknown',
  TENANT_DISABLED: 'tenant_disabled',
  POLICY_DENY: 'policy_deny',
  POLICY_ERROR: 'policy_error',
} as const;
export type ReasonCode = (typeof Reason)[keyof typeof Reason];

const FORBIDDEN: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  Reason.ROUTE_NOT_LISTED, Reason.INSUFFICIENT_SCOPE, Reason.TENANT_UNKNOWN, Reason.TENANT_DISABLED, Reason.POLICY_DENY, Reason.POLICY_ERROR,
]);

/** The HTTP status API Gateway answers for a denial with this reason: 403 (a `Deny` policy) or 401 (`Unauthorized`). */
export function statusOf(reason: ReasonCode): 401 | 403 {
  return FORBIDDEN.has(reason) ? 403 : 401;
}

/** Thrown inside the pipeline to stop with a reason; turned into 401/403 at the edge of the handler, never escapes. */
export class Denial extends SecureApiPlatformError {
  constructor(readonly reason: ReasonCode, detail?: string) {
    super(detail ?? reason);
    this.name = 'Denial';
  }
}
