// The package root (`@secure-api-platform/platform`): cloud-neutral, it loads neither aws-cdk-lib, cdk-nag nor cdktf.
// The compliance packs are `/compliance`, the renderers `/aws` and `/azure` (projenrc/layout.ts lists every entry point).
export {
  AMR_MFA, API_KEY_SCHEME, apiKeyPrincipal, apiRouteLayout, type ApiSpec, type AppClientSpec, assertValidSpec, type AuditSpec,
  AUTHORIZATION_HEADER, AUTHORIZATION_HEADER_NAME, type BackendSpec, CACHE_CONTROL_HEADER, checkRequestSchema, ComplianceProfile,
  CONTENT_TYPE_HEADER, CORS_CREDENTIALS_ENV, CORS_ORIGINS_ENV, CORS_PREFLIGHT_MAX_AGE_SECONDS, corsAllowHeaders, corsEnvironment,
  corsResponseHeaders, type CorsSpec, customAttribute, DEFAULT_INTEGRATION_TIMEOUT_MS, DEFAULT_REVOCATION_BOUND_SECONDS,
  DEFAULT_SIGNATURE_ALGORITHMS, DEFAULT_TENANT_CLAIM, DENIAL_MESSAGES, DEPLOY_LIMITS, type DomainSpec, type EdgeSpec, HSTS_MAX_AGE_SECONDS,
  HTTP_METHODS, type HttpMethod, IDEMPOTENCY_KEY_HEADER, type IdentitySpec, isSignatureAlgorithm, JSON_CONTENT_TYPE, type JsonSchema,
  jwtPrincipal, type KeysSpec, LAMBDA_PERMISSION_STATEMENT_BYTES, type LayoutRoute, LIMIT_NAMES, LOG_RETENTION_DAYS, MAX_AUTHORIZERS_PER_API,
  MFA_CLAIM, type MtlsDomainSpec, type ObjectLockMode, type ObservabilitySpec, type OidcIssuerSpec, planRouteLayout, type PlanSpec,
  type PlatformSpec, PlatformSpecError, PoolAttributes, PROFILE_MINIMUMS, profileMinimums, type ProfileMinimums, REGIONAL_STACK_FLOOR,
  regionalStackFloor, type RegionsSpec, type ResilienceSpec, type ResolvedIssuer, type ResolvedRevocation, type ResolvedRoute,
  type ResolvedSpec, resolveSpec, REVOCATION_DEFAULTS, revocationBoundSeconds, type RevocationSpec, type RevocationTimes, ROUTE_LAYOUT,
  type RouteLayout, type RouteSpec, type RouteStackPlan, type RouteUnit, scopePrefix, SecureApiPlatformError, SECURITY_HEADERS,
  SIGNATURE_ALGORITHMS, type SignatureAlgorithm, type SpecIssue, TENANT_ID_PATTERN, TlsPolicy, type UserPoolSpec, validateSpec,
  WORM_OBJECT_LOCK_MODE,
} from './spec';
export { PlatformValidationError } from './errors';
