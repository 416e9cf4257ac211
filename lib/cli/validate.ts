/** Parsing and validation of operator input: each failure is a usage error (exit 2) naming the value and the fix. */
import { usage } from './errors';
import { LIMITS } from '../authorizer/config';
import { decomposeJwt } from '../authorizer/jwt';
import { TENANT_ID_PATTERN } from '../spec/contracts/identity';
import { PLAN_NAME_PATTERN, PLATFORM_NAME_PATTERN } from '../spec/contracts/names';

const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `24h`, `7d` → seconds. `0` is accepted as zero seconds. */
export function parseDuration(option: string, value: string, max: { seconds: number; text: string }): number {
  if (value === '0') return 0;
  const m = DURATION.exec(value);
  if (!m) throw usage(`${option} must be a duration like 30m, 24h or 7d (received: ${JSON.stringify(value)})`);
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]];
  if (seconds > max.seconds) throw usage(`${option} must be at most ${max.text} (received: ${value})`);
  return seconds;
}

/** Tenant ids as the authorizer, the trigger and the spec accept them (the identity contract's pattern). */
export function checkTenantId(value: string): string {
  if (!TENANT_ID_PATTERN.test(value)) throw usage(`tenant id must be 1 to 64 letters, digits, '.', '_' or '-' (received: ${JSON.stringify(value.slice(0, 80))})`);
  return value;
}

/** Platform names as the spec accepts them (3 to 24 lowercase letters, digits, hyphens). */
export function checkPlatform(value: string): string {
  if (!PLATFORM_NAME_PATTERN.test(value)) throw usage(`--platform must be the spec's name: 3 to 24 lowercase letters, digits and hyphens (received: ${JSON.stringify(value)})`);
  return value;
}

const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
export function checkTable(value: string): string {
  if (!TABLE.test(value)) throw usage(`--table must be a DynamoDB table name (received: ${JSON.stringify(value)})`);
  return value;
}

/** Plan names as the spec accepts them. */
export function checkPlanName(value: string): string {
  if (!PLAN_NAME_PATTERN.test(value)) throw usage(`plan names are lowercase letters, digits and hyphens (received: ${JSON.stringify(value)})`);
  return value;
}

const EMAIL = /^[^\s@<>"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
export function checkEmail(value: string): string {
  if (!EMAIL.test(value)) throw usage(`--contact must be an email address, e.g. ops@tenant.example (received: ${JSON.stringify(value.slice(0, 80))})`);
  return value;
}

/** Scope names as the authorizer's route configuration accepts them. */
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
export function parseScopes(value: string): string[] {
  const scopes = [...new Set(value.split(/[ ,]+/).filter((s) => s.length > 0))];
  if (scopes.length === 0) throw usage('--scopes must list at least one scope, e.g. --scopes orders:read,orders:write');
  for (const s of scopes) if (!SCOPE.test(s)) throw usage(`--scopes: ${JSON.stringify(s)} is not a valid scope name`);
  return scopes;
}

/** Comma-separated list option → trimmed, non-empty, de-duplicated values. */
export function list(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
}

const PRINTABLE = /^[\x21-\x7E]+$/;
/** A token id (`jti` or Cognito `origin_jti`): printable, bounded. */
export function checkJti(value: string): string {
  if (value.length > 256 || !PRINTABLE.test(value)) throw usage(`jti must be 1 to 256 printable characters without spaces (received: ${JSON.stringify(value.slice(0, 80))})`);
  return value;
}

/** An issuer as the authorizer matches it (exact `iss`); `#` would break the revocation key. */
export function checkIssuer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usage(`--issuer must be the exact \`iss\` URL, e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC (received: ${JSON.stringify(value.slice(0, 120))})`);
  }
  if (value.includes('#') || url.username || url.password) throw usage(`--issuer must not contain '#' or credentials (received: ${JSON.stringify(value.slice(0, 120))})`);
  return value;
}

export function checkSubject(value: string): string {
  if (value.length === 0 || value.length > 512 || /[\x00-\x1F]/.test(value)) throw usage('--subject must be the token\'s `sub` (1 to 512 characters, no control characters)');
  return value;
}

/** The claims of a JWT, read WITHOUT verifying its signature: only used for the TTL of a deny-list entry. */
export interface UnverifiedClaims {
  readonly jti?: string;
  readonly exp?: number;
  readonly iss?: string;
  readonly sub?: string;
}

export function readUnverifiedClaims(token: string): UnverifiedClaims {
  const bad = (why: string): never => {
    throw usage(`--token is not a JWT (${why}); pass the compact token (three base64url parts separated by dots)`);
  };
  if (token.length > LIMITS.maxTokenLength) bad(`longer than ${LIMITS.maxTokenLength} characters`);
  // The authorizer's own parser: a token it would refuse as malformed is refused here too, for the same reason.
  let p: Record<string, unknown>;
  try {
    p = decomposeJwt(token.trim().replace(/^Bearer\s+/i, '')).payload as Record<string, unknown>;
  } catch (e) {
    return bad(e instanceof Error ? e.message : 'unreadable');
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return {
    jti: str(p.jti),
    exp: typeof p.exp === 'number' && Number.isFinite(p.exp) ? Math.floor(p.exp) : undefined,
    iss: str(p.iss),
    sub: str(p.sub),
  };
}
