export {
  type ApiSpec, type AppClientSpec, type AuditSpec, type BackendSpec, COMPLIANCE_PROFILES, ComplianceProfile, type CorsSpec,
  type DomainSpec, type EdgeSpec,
  HTTP_METHODS, type HttpMethod, type IdentitySpec, type JsonSchema, type KeysSpec, type MtlsDomainSpec, type ObservabilitySpec,
  type OidcIssuerSpec, type PlanSpec, type PlatformSpec, type RegionsSpec, type ResilienceSpec, type RevocationSpec, type RouteSpec, TlsPolicy,
  type UserPoolSpec,
} from './types';
export { LOG_RETENTION_DAYS, PROFILE_MINIMUMS, profileMinimums, type ProfileMinimums } from './profiles';
export { assertValidSpec, checkRequestSchema, PlatformSpecError, type SpecIssue, validateSpec } from './validate';
export {
  DEFAULT_INTEGRATION_TIMEOUT_MS, type ObjectLockMode, type ResolvedDomain, type ResolvedIssuer, type ResolvedRevocation, type ResolvedRoute,
  type ResolvedSpec, resolveSpec, WORM_OBJECT_LOCK_MODE,
} from './resolve';
export { DEPLOY_LIMITS, LAMBDA_PERMISSION_STATEMENT_BYTES, LIMIT_NAMES } from './contracts/limits';
export {
  apiRouteLayout, type LayoutRoute, planRouteLayout, REGIONAL_STACK_FLOOR, regionalStackFloor, ROUTE_LAYOUT, type RouteLayout,
  type RouteStackPlan, type RouteUnit,
} from './contracts/route-layout';
export {
  AMR_MFA, API_KEY_SCHEME, apiKeyPrincipal, AUTHORIZATION_HEADER, AUTHORIZATION_HEADER_NAME, customAttribute, DEFAULT_REVOCATION_BOUND_SECONDS,
  DEFAULT_SIGNATURE_ALGORITHMS, DEFAULT_TENANT_CLAIM, DENIAL_MESSAGES, isSignatureAlgorithm, jwtPrincipal, MAX_AUTHORIZERS_PER_API, MFA_CLAIM,
  PoolAttributes, REVOCATION_DEFAULTS, revocationBoundSeconds, type RevocationTimes, scopePrefix, SIGNATURE_ALGORITHMS,
  type SignatureAlgorithm, TENANT_ID_PATTERN,
} from './contracts/identity';
export {
  CACHE_CONTROL_HEADER, CONTENT_TYPE_HEADER, CORS_CREDENTIALS_ENV, CORS_ORIGINS_ENV, CORS_PREFLIGHT_MAX_AGE_SECONDS, corsAllowHeaders,
  corsEnvironment, corsResponseHeaders, HSTS_MAX_AGE_SECONDS, IDEMPOTENCY_KEY_HEADER, JSON_CONTENT_TYPE, SECURITY_HEADERS,
} from './http';
export { SecureApiPlatformError } from './errors';
