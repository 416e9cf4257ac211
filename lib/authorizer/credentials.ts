import { Denial, Reason } from './reasons';
import type { AuthorizerRequest } from './types';
import { API_KEY_SCHEME as API_KEY_SCHEME_NAME, AUTHORIZATION_HEADER } from '../spec/contracts/identity';

/** The credential a request presents: an `Authorization` header for the bearer path, or an API key. */
export type Credential =
  | { readonly kind: 'jwt'; readonly authorization: string }
  | { readonly kind: 'apiKey'; readonly key: string };

/** What the extractor accepts, from the resolved configuration. */
export interface CredentialOptions {
  /** Bearer tokens are accepted (at least one issuer is configured). */
  readonly bearer: boolean;
  /** API keys are accepted (`Authorization: ApiKey <key>`, and the key header when one is named). */
  readonly apiKeys: boolean;
  /** The API key header's name, when keys may travel in one. */
  readonly apiKeyHeader?: string;
}

/** `Authorization: ApiKey <key>`: lets API-key clients satisfy an authorizer cache keyed on the Authorization header. */
const API_KEY_SCHEME = new RegExp(`^${API_KEY_SCHEME_NAME} +([^\\s]+) *$`, 'i');

/**
 * Finds the one credential of a request, refusing ambiguity: a header sent twice, a bearer token beside an API key,
 * two different API keys. Throws a {@link Denial} (`ambiguous_credentials`, `malformed_header`, `no_credentials`).
 */
export class CredentialExtractor {
  private readonly apiKeyHeader?: string;

  constructor(private readonly options: CredentialOptions) {
    this.apiKeyHeader = options.apiKeyHeader?.toLowerCase();
  }

  extract(event: AuthorizerRequest): Credential {
    const authorization = header(event, AUTHORIZATION_HEADER);
    const apiKeyHeader = this.apiKeyHeader !== undefined ? header(event, this.apiKeyHeader) : undefined;
    const schemeKey = this.options.apiKeys && authorization !== undefined ? API_KEY_SCHEME.exec(authorization)?.[1] : undefined;
    if (schemeKey !== undefined) {
      // The same key may also travel in the key header (the WAF's per-key rate limit reads it); two different keys are ambiguous.
      if (apiKeyHeader !== undefined && apiKeyHeader !== schemeKey) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'two different API keys');
      return { kind: 'apiKey', key: schemeKey };
    }
    if (authorization !== undefined && apiKeyHeader !== undefined) throw new Denial(Reason.AMBIGUOUS_CREDENTIALS, 'both a bearer token and an API key');
    if (authorization !== undefined && this.options.bearer) return { kind: 'jwt', authorization };
    if (apiKeyHeader !== undefined) return { kind: 'apiKey', key: apiKeyHeader };
    throw new Denial(authorization !== undefined ? Reason.MALFORMED_HEADER : Reason.NO_CREDENTIALS);
  }
}

/** Case-insensitive single-valued header (`name` in lower case); a header sent twice is ambiguous and refused. */
export function header(event: AuthorizerRequest, name: string): string | undefined {
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

const BEARER = 'bearer';

/**
 * Whether the header starts with `bearer` in any case: compared a character at a time, each against its lower and upper
 * case, where `slice(0, 6).toLowerCase()` made two strings per request. No other character lowercases to one of these
 * letters (of the Unicode characters whose lowercase is ASCII, only the Kelvin sign, `k`, and `İ`, two characters).
 */
function isBearerScheme(authorization: string): boolean {
  for (let i = 0; i < BEARER.length; i++) {
    const c = authorization.charCodeAt(i);
    const lower = BEARER.charCodeAt(i);
    if (c !== lower && c !== lower - 32) return false;
  }
  return true;
}

/**
 * The token of `Authorization: Bearer <token>` (scheme in any case, spaces around the token), or undefined. The token is
 * not scanned for whitespace here (that scan costs ~3% of an RS256 verify on an 800-character token): the JWT parser
 * accepts only base64url segments and dots, so a token with whitespace in it is refused there (`malformed_token`).
 */
export function bearerToken(authorization: string): string | undefined {
  // Typed as a string, but a malformed event can carry anything in a header.
  if (typeof authorization !== 'string' || authorization.length < 8 || authorization.charCodeAt(6) !== 32 || !isBearerScheme(authorization)) return undefined;
  let start = 7;
  while (authorization.charCodeAt(start) === 32) start++;
  let end = authorization.length;
  while (end > start && authorization.charCodeAt(end - 1) === 32) end--;
  return end > start ? authorization.slice(start, end) : undefined;
}
