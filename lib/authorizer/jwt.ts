import {
  JwtExpiredError, JwtInvalidAudienceError, JwtInvalidIssuerError, JwtInvalidSignatureAlgorithmError, JwtInvalidSignatureError,
  JwtNotBeforeError, JwtParseError, JwkInvalidKtyError, JwkInvalidUseError, JwkValidationError,
} from 'aws-jwt-verify/error';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JwtVerifierBase, JwtVerifierProperties, VerifyProperties } from 'aws-jwt-verify/jwt-verifier';
import { LIMITS, ResolvedConfig, SUPPORTED_ALGORITHMS } from './config';
import { IssuerJwks, IssuerJwksOptions } from './jwks';
import { Denial, Reason } from './reasons';

/** The identity established from a verified token: the only source of principal and tenant. */
export interface JwtIdentity {
  readonly issuer: string;
  readonly kid: string;
  readonly subject: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly clientId?: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  readonly amr: readonly string[];
  readonly jti?: string;
  readonly originJti?: string;
  readonly issuedAt?: number;
  readonly expiresAt: number;
  /** RFC 8705 `cnf["x5t#S256"]`, when the token is certificate-bound. */
  readonly certificateThumbprint?: string;
}

/** aws-jwt-verify's verifier, fed with a token we have already decomposed (one parse per request, not two). */
type Props = VerifyProperties & Record<string, unknown>;
class DecomposedJwtVerifier extends JwtVerifierBase<Props, JwtVerifierProperties<Props>, false> {
  constructor(props: JwtVerifierProperties<Props>, jwks: IssuerJwks) {
    super(props, jwks);
  }

  verifyDecomposed(jwt: DecomposedJwt, jwksUri: string, props: Props): JwtPayload {
    return this.verifyDecomposedJwtSync(jwt, jwksUri, props);
  }
}

interface IssuerRuntime {
  readonly config: ResolvedConfig['issuers'][number];
  readonly algorithms: ReadonlySet<string>;
  readonly clientIds?: ReadonlySet<string>;
  readonly jwks: IssuerJwks;
  readonly verifier: DecomposedJwtVerifier;
  readonly verifyProps: Props;
}

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_ALGORITHMS);
/** Header members that point at or embed a key: never followed, and a token carrying one is refused. */
const KEY_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;
const TENANT_ID = /^[A-Za-z0-9._-]{1,64}$/;

const B64URL = /^[A-Za-z0-9_-]+$/;
/** Last characters whose unused low bits are zero, by `length % 4` (2: 4 unused bits, 3: 2 unused bits). */
const CANONICAL_LAST: Record<number, RegExp> = { 2: /[AQgw]$/, 3: /[AEIMQUYcgkosw048]$/ };

/** Checks a base64url segment strictly: the alphabet, no padding, and only the canonical encoding of its bytes. */
function checkSegment(part: string): void {
  const rest = part.length % 4;
  if (!B64URL.test(part) || rest === 1 || (rest > 1 && !CANONICAL_LAST[rest].test(part))) {
    throw new Denial(Reason.MALFORMED_TOKEN, 'not canonical base64url');
  }
}

function jsonObject(part: string): Record<string, unknown> {
  checkSegment(part);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Denial(Reason.MALFORMED_TOKEN, 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Denial(Reason.MALFORMED_TOKEN, 'not a JSON object');
  // JSON.parse turns `__proto__` into a plain own member (no pollution); claims named by configuration are read as own members only.
  return value as Record<string, unknown>;
}

/** An own member of a parsed object (never one inherited from Object.prototype, e.g. a claim named `constructor`). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

const isNum = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
const isStr = (v: unknown): boolean => v === undefined || typeof v === 'string';

/**
 * Splits and parses a compact JWS. Stricter than aws-jwt-verify's decomposeUnverifiedJwt (canonical base64url only)
 * and ~10 µs cheaper per token (no JSON reviver, no backtracking whole-token regex), which matters against a ~40 µs verify.
 * The result has the library's DecomposedJwt shape; the library still checks the key, the signature and the claims.
 */
export function decomposeJwt(token: string): DecomposedJwt {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw new Denial(Reason.MALFORMED_TOKEN, 'not three segments');
  const headerB64 = token.slice(0, first);
  const payloadB64 = token.slice(first + 1, second);
  const signatureB64 = token.slice(second + 1);
  const header = jsonObject(headerB64);
  const payload = jsonObject(payloadB64);
  checkSegment(signatureB64);
  if (!isStr(header.alg) || !isStr(header.kid)) throw new Denial(Reason.MALFORMED_TOKEN, 'header member types');
  if (!isNum(payload.exp) || !isNum(payload.nbf) || !isNum(payload.iat) || !isStr(payload.iss) || !isStr(payload.sub) || !isStr(payload.jti)
    || !isStr(payload.scope) || !(isStr(payload.aud) || (Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === 'string')))) {
    throw new Denial(Reason.MALFORMED_TOKEN, 'claim types');
  }
  return { header: header as JwtHeader, headerB64, payload: payload as JwtPayload, payloadB64, signatureB64 };
}

/** `orders/orders:read` → `orders:read` for a listed prefix; other scopes are kept as issued. */
function stripScopePrefixes(scopes: string[], prefixes: readonly string[] | undefined): string[] {
  if (!prefixes || prefixes.length === 0) return scopes;
  return scopes.map((s) => {
    const slash = s.indexOf('/');
    return slash > 0 && prefixes.includes(s.slice(0, slash)) ? s.slice(slash + 1) : s;
  });
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

function mapLibraryError(e: unknown): Denial {
  if (e instanceof Denial) return e;
  if (e instanceof JwtInvalidSignatureError) return new Denial(Reason.BAD_SIGNATURE);
  if (e instanceof JwtExpiredError) return new Denial(Reason.EXPIRED);
  if (e instanceof JwtNotBeforeError) return new Denial(Reason.NOT_YET_VALID);
  if (e instanceof JwtInvalidAudienceError) return new Denial(Reason.WRONG_AUDIENCE);
  if (e instanceof JwtInvalidIssuerError) return new Denial(Reason.UNKNOWN_ISSUER);
  if (e instanceof JwtInvalidSignatureAlgorithmError || e instanceof JwkInvalidKtyError || e instanceof JwkInvalidUseError
    || e instanceof JwkValidationError) {
    return new Denial(Reason.KEY_MISMATCH);
  }
  if (e instanceof JwtParseError) return new Denial(Reason.MALFORMED_TOKEN);
  // Anything else out of the crypto layer (e.g. a malformed signature OpenSSL refuses to decode) is a bad signature.
  return new Denial(Reason.BAD_SIGNATURE, e instanceof Error ? e.message : undefined);
}

/** Partial result for the log when a token is rejected after its issuer and kid are known. */
export interface JwtTrace {
  issuer?: string;
  kid?: string;
}

/**
 * Validates bearer tokens: aws-jwt-verify for the signature and `iss`/`aud`/`exp`/`nbf`, plus the checks it does not
 * make (token size, `crit`, embedded keys, algorithm allowlist per issuer and per key, `exp` required, `iat` in the
 * future, lifetime cap, `token_use`, `client_id`, subject, tenant and `jti` shape).
 */
export class JwtAuthenticator {
  private readonly issuers = new Map<string, IssuerRuntime>();

  constructor(private readonly config: ResolvedConfig, jwksOptions: IssuerJwksOptions) {
    for (const issuer of config.issuers) {
      const jwks = new IssuerJwks(issuer.jwksUri, jwksOptions);
      const verifyProps: Props = { audience: issuer.audience ?? null, graceSeconds: config.clockSkewSeconds };
      this.issuers.set(issuer.issuer, {
        config: issuer,
        algorithms: new Set(issuer.algorithms),
        clientIds: issuer.clientIds ? new Set(issuer.clientIds) : undefined,
        jwks,
        verifier: new DecomposedJwtVerifier({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, ...verifyProps }, jwks),
        verifyProps: { ...verifyProps, issuer: issuer.issuer },
      });
    }
  }

  /** Starts fetching every issuer's JWKS now (Lambda init), so the fetch overlaps the init phase. Never rejects. */
  async warm(): Promise<void> {
    await Promise.all([...this.issuers.values()].map((i) => i.jwks.prefetch()));
  }

  async authenticate(token: string, trace: JwtTrace): Promise<JwtIdentity> {
    if (token.length > LIMITS.maxTokenLength) throw new Denial(Reason.TOKEN_TOO_LARGE);
    const jwt = decomposeJwt(token);
    const { header, payload } = jwt;
    const alg = header.alg;
    if (typeof alg !== 'string' || !SUPPORTED.has(alg)) throw new Denial(Reason.ALG_NOT_ALLOWED);
    // We implement no critical extension, so any `crit` (RFC 7515 4.1.11), including `b64`, means reject.
    if (header.crit !== undefined) throw new Denial(Reason.CRIT_HEADER);
    for (const h of KEY_HEADERS) if (header[h] !== undefined) throw new Denial(Reason.EMBEDDED_KEY_HEADER);
    const issuer = typeof payload.iss === 'string' ? this.issuers.get(payload.iss) : undefined;
    if (!issuer) throw new Denial(Reason.UNKNOWN_ISSUER);
    trace.issuer = issuer.config.issuer;
    if (!issuer.algorithms.has(alg)) throw new Denial(Reason.ALG_NOT_ALLOWED);
    const kid = header.kid;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > LIMITS.maxKidLength) throw new Denial(Reason.MISSING_KID);
    trace.kid = kid;

    const key = issuer.jwks.freshKey(kid) ?? await issuer.jwks.getKey(kid);
    if (key.unusable) throw new Denial(key.unusable);
    if (!key.algorithms.has(alg)) throw new Denial(Reason.KEY_MISMATCH);
    try {
      issuer.verifier.verifyDecomposed(jwt, issuer.jwks.uri, issuer.verifyProps);
    } catch (e) {
      throw mapLibraryError(e);
    }
    return this.checkClaims(issuer.config, payload, kid);
  }

  private checkClaims(issuer: IssuerRuntime['config'], payload: JwtPayload, kid: string): JwtIdentity {
    const now = Math.floor(Date.now() / 1000);
    const skew = this.config.clockSkewSeconds;
    const exp = payload.exp;
    if (typeof exp !== 'number') throw new Denial(Reason.MISSING_EXP);
    const iat = payload.iat;
    if (iat !== undefined && iat > now + skew) throw new Denial(Reason.IAT_IN_FUTURE);
    if (exp - (iat ?? now) > this.config.maxTokenLifetimeSeconds) throw new Denial(Reason.LIFETIME_TOO_LONG);

    const tokenUse = payload.token_use;
    if (tokenUse !== undefined || issuer.tokenUse !== undefined) {
      if (tokenUse !== (issuer.tokenUse ?? 'access')) throw new Denial(Reason.WRONG_TOKEN_USE);
    }
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    if (issuer.clientIds) {
      const presented = issuer.tokenUse === 'id' ? stringList(payload.aud) : clientId ? [clientId] : [];
      if (!presented.some((c) => issuer.clientIds!.includes(c))) throw new Denial(Reason.WRONG_CLIENT);
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) throw new Denial(Reason.MISSING_SUBJECT);

    const tenantRaw = own(payload, issuer.tenantClaim);
    if (tenantRaw === undefined || tenantRaw === null) throw new Denial(Reason.MISSING_TENANT);
    if (typeof tenantRaw !== 'string' || !TENANT_ID.test(tenantRaw)) throw new Denial(Reason.INVALID_TENANT);

    const jti = payload.jti;
    if (jti !== undefined && (jti.length === 0 || jti.length > 256)) throw new Denial(Reason.INVALID_CLAIM, 'jti');
    const originJti = typeof payload.origin_jti === 'string' && payload.origin_jti.length <= 256 ? payload.origin_jti : undefined;
    if (this.config.revocation.enabled && issuer.requireJti && !jti) throw new Denial(Reason.MISSING_JTI);

    let certificateThumbprint: string | undefined;
    if (payload.cnf !== undefined) {
      const cnf = payload.cnf as Record<string, unknown> | null;
      const thumb = cnf && typeof cnf === 'object' && !Array.isArray(cnf) ? cnf['x5t#S256'] : undefined;
      // A confirmation method we cannot check (e.g. DPoP `jkt`) must not be silently ignored.
      if (typeof thumb !== 'string' || thumb.length === 0) throw new Denial(Reason.INVALID_CLAIM, 'cnf');
      certificateThumbprint = thumb;
    }

    return {
      issuer: issuer.issuer,
      kid,
      subject,
      tenantId: tenantRaw,
      scopes: stripScopePrefixes(payload.scope !== undefined ? stringList(payload.scope) : stringList(payload.scp), issuer.scopePrefixes),
      clientId,
      groups: stringList(payload['cognito:groups'] ?? payload.groups),
      roles: stringList(payload.roles),
      amr: stringList(payload.amr),
      jti,
      originJti,
      issuedAt: iat,
      expiresAt: exp,
      certificateThumbprint,
    };
  }
}

