/**
 * The security headers every response carries: on API Gateway's own responses (4xx/5xx), through the CloudFront
 * response-headers policy and in the backend middleware (API Gateway cannot add headers to Lambda proxy responses).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

/** HSTS max-age in seconds (two years, the preload list's requirement). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
