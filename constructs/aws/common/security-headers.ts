/** The security headers every response carries (one home, shared with Azure and the backends: lib/spec/http). */
export { SECURITY_HEADERS } from '../../../lib/spec/http';

/** HSTS max-age in seconds (two years, the preload list's requirement). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
