import { AUTHORIZATION_HEADER_NAME } from './contracts/identity';
import type { ResolvedSpec } from './resolve';

/**
 * HTTP names the gateway, the backends and browsers agree on: one home for the CORS preflight (rendered by the
 * gateway), the backend's CORS response headers (produced at runtime) and the idempotency header.
 */

/** Header names the platform writes on both clouds (spelt once). */
export const CONTENT_TYPE_HEADER = 'Content-Type';
export const CACHE_CONTROL_HEADER = 'Cache-Control';
/** The media type of every body the gateways, the authorizer and the backends write. */
export const JSON_CONTENT_TYPE = 'application/json';

/** HSTS max-age in seconds (two years, the preload list's requirement). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * The security headers every response carries, on both clouds: on AWS on API Gateway's own responses (4xx/5xx),
 * through the CloudFront response-headers policy and in the backend middleware (API Gateway cannot add headers to
 * Lambda proxy responses); on Azure in the APIM outbound policy and the Functions backend.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  [CACHE_CONTROL_HEADER]: 'no-store',
  'Referrer-Policy': 'no-referrer',
};

/** The header a client sends on writes so a retry never creates a second resource. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Environment variable holding the CORS allowlist (space-separated origins) of a backend behind the platform. */
export const CORS_ORIGINS_ENV = 'PLATFORM_CORS_ORIGINS';
/** Environment variable set to `true` when the spec allows credentialed CORS requests. */
export const CORS_CREDENTIALS_ENV = 'PLATFORM_CORS_CREDENTIALS';

/** How long a browser may reuse a preflight's answer, on both clouds (API Gateway's OPTIONS methods, APIM's cors policy). */
export const CORS_PREFLIGHT_MAX_AGE_SECONDS = 3600;

/** Request headers a browser may send: the preflight allows exactly these, on both clouds. */
export function corsAllowHeaders(spec: ResolvedSpec): string[] {
  const headers = [AUTHORIZATION_HEADER_NAME, CONTENT_TYPE_HEADER, spec.edge.apiKeyHeader, IDEMPOTENCY_KEY_HEADER];
  // Once each, whatever the case: the API key header may be Authorization itself.
  return headers.filter((h, i) => headers.findIndex((o) => o.toLowerCase() === h.toLowerCase()) === i);
}

/** The backend environment that carries the CORS allowlist (empty when the spec allows no browser origin). */
export function corsEnvironment(spec: ResolvedSpec): Record<string, string> {
  if (spec.corsOrigins.length === 0) return {};
  return { [CORS_ORIGINS_ENV]: spec.corsOrigins.join(' '), ...(spec.corsAllowCredentials ? { [CORS_CREDENTIALS_ENV]: 'true' } : {}) };
}

/**
 * CORS headers of a real (non-preflight) response: the request's origin echoed only when it is on the allowlist
 * (exact match), nothing for any other origin. `Vary: Origin` whenever an allowlist exists, so caches keep answers
 * to different origins apart.
 */
export function corsResponseHeaders(origin: string | undefined, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const allow = (env[CORS_ORIGINS_ENV] ?? '').split(' ').filter(Boolean);
  if (allow.length === 0) return {};
  if (!origin || !allow.includes(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    ...(env[CORS_CREDENTIALS_ENV] === 'true' ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
    'Vary': 'Origin',
  };
}
