import { verify as verifySignature } from 'node:crypto';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { AMR_MFA, SIGNATURE_ALGORITHMS, SignatureAlgorithm, TENANT_ID_PATTERN } from '../spec/contracts/identity';
import { LIMITS, ResolvedConfig } from './config';
import { IssuerJwks, IssuerJwksOptions, PreparedKey } from './jwks';
import { Denial, Reason } from './reasons';

/** The identity established from a verified token: the only source of principal and tenant. */
export interface JwtIdentity {
  readonly issuer: string;
  readonly kid: string;
  readonly subject: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  /** The scopes as one space-separated string (the form the gateway's context carries). */
  readonly scopeText: string;
  readonly clientId?: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  readonly amr: readonly string[];
  /** Signed in with MFA: the issuer's `mfaClaim` is `true`, or (without one) `amr` contains `mfa`. */
  readonly mfa: boolean;
  readonly jti?: string;
  readonly originJti?: string;
  readonly issuedAt?: number;
  readonly expiresAt: number;
  /** RFC 8705 `cnf["x5t#S256"]`, when the token is certificate-bound. */
  readonly certificateThumbprint?: string;
}

interface IssuerRuntime {
  readonly config: ResolvedConfig['issuers'][number];
  readonly algorithms: ReadonlySet<string>;
  readonly clientIds?: ReadonlySet<string>;
  readonly jwks: IssuerJwks;
  /** The accepted audiences: the token's `aud` (a string or an array) must hold one. Unset: `aud` is not checked. */
  readonly audience?: ReadonlySet<string>;
}

/**
 * node:crypto digest per JWS algorithm (EdDSA hashes internally). Keyed by every algorithm of the contract, so an
 * algorithm the spec accepts and this runtime cannot verify does not compile.
 */
const DIGEST: Readonly<Record<SignatureAlgorithm, string | null>> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', EdDSA: null,
};

const SUPPORTED: ReadonlySet<string> = new Set(SIGNATURE_ALGORITHMS);
/** Header members that point at or embed a key: never followed, and a token carrying one is refused. */
const KEY_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/**
 * Throws unless `part` is canonical base64url: only the canonical encoding of its bytes (the alphabet, no padding, zero
 * unused bits) is accepted, checked before decoding: Node's decoder skips characters outside the alphabet and accepts
 * `+` and `/`, so it cannot be the check. A scan of the alphabet and a look at the last character, rather than encoding
 * the decoded bytes again and comparing: the same verdict (test/authorizer/attacks.test.ts checks every last character
 * of every length against the re-encoding), and no new string per segment for the GC to collect. `alphabetChecked`: the
 * whole token is known to be segments of the alphabet ({@link COMPACT_JWS}), so only the length and the last character
 * are left to check.
 */
function checkCanonical(part: string, alphabetChecked: boolean): void {
  const rest = part.length % 4;
  // A length of 4n+1 encodes no whole byte; in the last character of 4n+2 (4n+3) characters the low 4 (2) bits are unused.
  if (rest === 1 || (!alphabetChecked && !BASE64URL.test(part))
    || (rest !== 0 && sextet(part.charCodeAt(part.length - 1)) % (rest === 2 ? 16 : 4) !== 0)) {
    throw new Denial(Reason.MALFORMED_TOKEN, 'not canonical base64url');
  }
}

/**
 * Where a token's JSON segments are decoded, to be read out as text at once, and its signature for the verify: no Buffer
 * made per segment. A segment is at most a token long, and decodes to three quarters of its length. Decisions run one
 * at a time on the thread, a JSON segment's decode and read-out have nothing between them, and the signature is decoded
 * after them, just before the (synchronous) verify: no two uses overlap.
 */
const SEGMENT_SCRATCH = Buffer.allocUnsafe(LIMITS.maxTokenLength);

/**
 * Where the signing input is written for the verify, as SEGMENT_SCRATCH is for the JSON segments: the verify is synchronous,
 * so no two uses overlap. Measured against `Buffer.from(signingInput, 'latin1')`, it saves a pooled Buffer per token (and
 * a new 8 KB pool every thirteen tokens) for the same bytes.
 */
const SIGNING_SCRATCH = Buffer.allocUnsafe(LIMITS.maxTokenLength);

/** A canonical base64url segment's bytes as UTF-8 text (see {@link checkCanonical}). */
function segmentText(part: string, alphabetChecked: boolean): string {
  checkCanonical(part, alphabetChecked);
  if (part.length > LIMITS.maxTokenLength) throw new Denial(Reason.TOKEN_TOO_LARGE);
  return SEGMENT_SCRATCH.toString('utf8', 0, SEGMENT_SCRATCH.write(part, 'base64url'));
}

/** One segment: the base64url alphabet, no padding, at least one character. */
const SEGMENT = '[A-Za-z0-9_-]+';
const BASE64URL = new RegExp(`^${SEGMENT}$`);

/**
 * Three non-empty segments of the base64url alphabet: the shape of every well-formed compact JWS, checked in one pass over
 * the token instead of one per segment (each pass over a slice cost about as much again as this whole one). A token that
 * fails it is checked segment by segment, for the same answer as before: which of the two refusals, and where.
 */
const COMPACT_JWS = new RegExp(`^${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}$`);

/** The 6-bit value of a base64url character (of the alphabet: checked first). */
function sextet(c: number): number {
  return c >= 97 ? c - 71 : c === 95 ? 63 : c >= 65 ? c - 65 : c >= 48 ? c + 4 : 62;
}

function jsonObject(part: string, alphabetChecked: boolean): Record<string, unknown> {
  const text = segmentText(part, alphabetChecked);
  let value: unknown;
  try {
    value = JSON.parse(text);
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
 * Headers of tokens that passed every check, by their exact base64url text: an issuer sends the same few headers
 * (`alg`, `typ`, `kid`) on every token, and parsing one costs ~4% of an RS256 verify. Only verified tokens add to it,
 * so forged tokens cannot fill it; the entry is frozen and the key is the exact text, so a hit is the same parse.
 */
export class VerifiedHeaders {
  private readonly headers = new Map<string, JwtHeader>();

  constructor(private readonly maxEntries = 64) {}

  get(headerB64: string): JwtHeader | undefined {
    return this.headers.get(headerB64);
  }

  /** Remembers the header of a token that passed every check. */
  remember(jwt: ParsedJwt): void {
    if (jwt.headerKnown || this.headers.has(jwt.headerB64)) return;
    if (this.headers.size >= this.maxEntries) this.headers.clear();
    this.headers.set(jwt.headerB64, Object.freeze(jwt.header));
  }

  get size(): number {
    return this.headers.size;
  }
}

/** A compact JWS split and parsed: the library's DecomposedJwt plus the signing input's length. */
export interface ParsedJwt extends DecomposedJwt {
  /** `header.payload`, the bytes the signature covers. */
  readonly signingInput: string;
  /**
   * The header is one {@link VerifiedHeaders} holds: the same text as the header of a token that passed every check in
   * this process, so the checks that read the header alone (algorithm supported, no `crit`, no embedded key, the `kid`'s
   * shape) pass again, and are not made again.
   */
  readonly headerKnown: boolean;
}

/**
 * Splits and parses a compact JWS. Stricter than aws-jwt-verify's decomposeUnverifiedJwt (canonical base64url only)
 * and ~10 µs cheaper per token (no JSON reviver, no backtracking whole-token regex), which matters against a ~40 µs verify.
 * The result has the library's DecomposedJwt shape.
 */
export function decomposeJwt(token: string, verified?: VerifiedHeaders): ParsedJwt {
  const alphabetChecked = COMPACT_JWS.test(token);
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw new Denial(Reason.MALFORMED_TOKEN, 'not three segments');
  const headerB64 = token.slice(0, first);
  const payloadB64 = token.slice(first + 1, second);
  const signatureB64 = token.slice(second + 1);
  let header = verified?.get(headerB64) as Record<string, unknown> | undefined;
  const headerKnown = header !== undefined;
  if (header === undefined) {
    header = jsonObject(headerB64, alphabetChecked);
    if (!isStr(header.alg) || !isStr(header.kid)) throw new Denial(Reason.MALFORMED_TOKEN, 'header member types');
  }
  const payload = jsonObject(payloadB64, alphabetChecked);
  // Decoded for the verify only (into a scratch buffer): a token refused before it needs no signature bytes.
  checkCanonical(signatureB64, alphabetChecked);
  if (!isNum(payload.exp) || !isNum(payload.nbf) || !isNum(payload.iat) || !isStr(payload.iss) || !isStr(payload.sub) || !isStr(payload.jti)
    || !isStr(payload.scope) || !(isStr(payload.aud) || (Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === 'string')))) {
    throw new Denial(Reason.MALFORMED_TOKEN, 'claim types');
  }
  return {
    header: header as JwtHeader,
    headerB64,
    payload: payload as JwtPayload,
    payloadB64,
    signatureB64,
    signingInput: token.slice(0, second),
    headerKnown,
  };
}

/**
 * `orders/orders:read` → `orders:read` for a listed prefix; every scope without a listed prefix is dropped (another
 * API's scopes, Cognito's own `openid` or `aws.cognito.signin.user.admin`): an API accepts only its own prefix.
 */
function stripScopePrefixes(scopes: readonly string[], prefixes: readonly string[] | undefined): readonly string[] {
  if (!prefixes || prefixes.length === 0) return scopes;
  const accepted: string[] = [];
  for (const s of scopes) {
    const slash = s.indexOf('/');
    if (slash > 0 && slash < s.length - 1 && prefixes.includes(s.slice(0, slash))) accepted.push(s.slice(slash + 1));
  }
  return accepted;
}

/** Shared by every identity without groups, roles or `amr` (never written to). */
const NONE: readonly string[] = Object.freeze([]);

/** A space-separated list as its own canonical text: no leading, trailing or doubled spaces (what `join(' ')` would give). */
function isCanonicalList(value: string): boolean {
  return value.length > 0 && value.charCodeAt(0) !== 32 && value.charCodeAt(value.length - 1) !== 32 && !value.includes('  ');
}

/** A space-separated claim (`scope`) or an array claim as a list of non-empty strings. Read-only: it may be the claim's own array. */
function stringList(value: unknown): readonly string[] {
  if (typeof value === 'string') {
    if (value.length === 0) return NONE;
    const parts = value.split(' ');
    return parts.includes('') ? parts.filter((s) => s.length > 0) : parts;
  }
  if (Array.isArray(value)) {
    return value.every((s) => typeof s === 'string' && s.length > 0) ? value as string[] : value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  }
  return NONE;
}

/** Whether an `aud` claim (a string or an array of strings: checked by the parser) names one of the accepted audiences. */
function overlaps(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud)) return false;
  for (const a of aud) if (accepted.has(a as string)) return true;
  return false;
}

/** Partial result for the log when a token is rejected after its issuer and kid are known. */
export interface JwtTrace {
  issuer?: string;
  kid?: string;
}

/**
 * Validates bearer tokens: the signature with node:crypto against the key prepared when the JWKS was loaded (the same
 * call aws-jwt-verify makes, without its per-token JWK re-validation and streaming Verify object); `iss` by an exact
 * lookup of the configured issuers, `aud`/`exp`/`nbf` as aws-jwt-verify's `validateJwtFields` checks them (see
 * `checkClaims`), and the checks the library does not make (token size, `crit`, embedded keys, algorithm allowlist per
 * issuer and per key, `exp` required, `iat` in the future, lifetime cap, `token_use`, `client_id`, subject, tenant and
 * `jti` shape).
 */
export class JwtAuthenticator {
  private readonly issuers = new Map<string, IssuerRuntime>();
  /** The headers of verified tokens, parsed once (see {@link VerifiedHeaders}). */
  readonly verifiedHeaders = new VerifiedHeaders();

  constructor(private readonly config: ResolvedConfig, jwksOptions: IssuerJwksOptions) {
    for (const issuer of config.issuers) {
      this.issuers.set(issuer.issuer, {
        config: issuer,
        algorithms: new Set(issuer.algorithms),
        clientIds: issuer.clientIds ? new Set(issuer.clientIds) : undefined,
        jwks: new IssuerJwks(issuer.jwksUri, jwksOptions),
        audience: issuer.audience ? new Set(issuer.audience) : undefined,
      });
    }
  }

  /** Starts fetching every issuer's JWKS now (Lambda init), so the fetch overlaps the init phase. Never rejects. */
  async warm(): Promise<void> {
    await Promise.all([...this.issuers.values()].map((i) => i.jwks.prefetch()));
  }

  /**
   * Validates a token. Synchronous (no promise, no await) when the issuer's key set is cached and fresh, the hot path;
   * a promise when the set must be fetched. Throws (or rejects with) a {@link Denial}. `now`: the monotonic clock's
   * reading for the JWKS cache, when the caller has one.
   */
  authenticate(token: string, trace: JwtTrace, now?: number): JwtIdentity | Promise<JwtIdentity> {
    if (token.length > LIMITS.maxTokenLength) throw new Denial(Reason.TOKEN_TOO_LARGE);
    const jwt = decomposeJwt(token, this.verifiedHeaders);
    const { header, payload } = jwt;
    const alg = header.alg as string;
    if (!jwt.headerKnown) {
      if (typeof alg !== 'string' || !SUPPORTED.has(alg)) throw new Denial(Reason.ALG_NOT_ALLOWED);
      // We implement no critical extension, so any `crit` (RFC 7515 4.1.11), including `b64`, means reject.
      if (header.crit !== undefined) throw new Denial(Reason.CRIT_HEADER);
      for (const h of KEY_HEADERS) if (header[h] !== undefined) throw new Denial(Reason.EMBEDDED_KEY_HEADER);
    }
    const issuer = typeof payload.iss === 'string' ? this.issuers.get(payload.iss) : undefined;
    if (!issuer) throw new Denial(Reason.UNKNOWN_ISSUER);
    trace.issuer = issuer.config.issuer;
    // Per issuer, so made for a known header too: another issuer's token may carry the same header.
    if (!issuer.algorithms.has(alg)) throw new Denial(Reason.ALG_NOT_ALLOWED);
    const kid = header.kid as string;
    if (!jwt.headerKnown && (typeof kid !== 'string' || kid.length === 0 || kid.length > LIMITS.maxKidLength)) throw new Denial(Reason.MISSING_KID);
    trace.kid = kid;

    const key = issuer.jwks.freshKey(kid, now);
    if (key) return this.verify(issuer, jwt, alg, key);
    return issuer.jwks.getKey(kid).then((k) => this.verify(issuer, jwt, alg, k));
  }

  private verify(issuer: IssuerRuntime, jwt: ParsedJwt, alg: string, key: PreparedKey): JwtIdentity {
    if (key.unusable) throw new Denial(key.unusable);
    // The key's own algorithms (its published `alg`, else its type and curve): no RS/ES/HS confusion.
    const digest = Object.prototype.hasOwnProperty.call(DIGEST, alg) ? DIGEST[alg as SignatureAlgorithm] : undefined;
    // RSASSA-PSS (PS*) verifies with its own key input (padding, salt length); RSASSA-PKCS1-v1_5 (RS*) with the plain key.
    const verifyKey = alg.charCodeAt(0) === 80 /* P */ ? key.pssVerifyKey : key.verifyKey;
    if (!key.algorithms.has(alg) || !verifyKey || digest === undefined) throw new Denial(Reason.KEY_MISMATCH);
    let valid: boolean;
    try {
      // The signing input is base64url and a dot (checked by the parser), so latin1 is its exact bytes, without a UTF-8 pass;
      // it is at most a token long (checked first).
      const length = SIGNING_SCRATCH.write(jwt.signingInput, 'latin1');
      const signatureLength = SEGMENT_SCRATCH.write(jwt.signatureB64, 'base64url');
      valid = verifySignature(digest, SIGNING_SCRATCH.subarray(0, length), verifyKey, SEGMENT_SCRATCH.subarray(0, signatureLength));
    } catch (e) {
      // OpenSSL refusing to decode a malformed signature is a bad signature too.
      throw new Denial(Reason.BAD_SIGNATURE, e instanceof Error ? e.message : undefined);
    }
    if (!valid) throw new Denial(Reason.BAD_SIGNATURE);
    const identity = this.checkClaims(issuer, jwt.payload, key.kid);
    this.verifiedHeaders.remember(jwt);
    return identity;
  }

  /**
   * The claims of a token whose signature is valid. The time claims as RFC 7519 defines them, with the configured skew:
   * expired when `exp` + skew is before now (to the millisecond), not yet valid when `nbf` - skew is after now. One reading
   * of the wall clock for every time claim (aws-jwt-verify's `validateJwtFields` read it per claim and built a Set per call
   * for the audience: measured, a tenth of a first-seen decision's own work for three comparisons).
   */
  private checkClaims(runtime: IssuerRuntime, payload: JwtPayload, kid: string): JwtIdentity {
    const issuer = runtime.config;
    const nowMs = Date.now();
    const nowSeconds = nowMs / 1000;
    const now = Math.floor(nowSeconds);
    const skew = this.config.clockSkewSeconds;
    const exp = payload.exp;
    if (exp !== undefined && exp + skew < nowSeconds) throw new Denial(Reason.EXPIRED);
    if (payload.nbf !== undefined && payload.nbf - skew > nowSeconds) throw new Denial(Reason.NOT_YET_VALID);
    if (runtime.audience && !overlaps(payload.aud, runtime.audience)) throw new Denial(Reason.WRONG_AUDIENCE);
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
    if (typeof tenantRaw !== 'string' || !TENANT_ID_PATTERN.test(tenantRaw)) throw new Denial(Reason.INVALID_TENANT);
    if (issuer.tenants && !issuer.tenants.includes(tenantRaw)) throw new Denial(Reason.INVALID_TENANT, 'the issuer may not assert this tenant');

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

    const amr = stringList(payload.amr);
    const mfa = issuer.mfaClaim !== undefined ? own(payload, issuer.mfaClaim) === true : amr.includes(AMR_MFA);
    const listed = payload.scope !== undefined ? stringList(payload.scope) : stringList(payload.scp);
    const scopes = stripScopePrefixes(listed, issuer.scopePrefixes);
    return {
      issuer: issuer.issuer,
      kid,
      subject,
      tenantId: tenantRaw,
      scopes,
      // The claim itself when it already is that string (single spaces, nothing stripped): no join per decision.
      scopeText: scopes === listed && typeof payload.scope === 'string' && isCanonicalList(payload.scope) ? payload.scope : scopes.join(' '),
      clientId,
      groups: stringList(payload['cognito:groups'] ?? payload.groups),
      roles: stringList(payload.roles),
      amr,
      mfa,
      jti,
      originJti,
      issuedAt: iat,
      expiresAt: exp,
      certificateThumbprint,
    };
  }
}

