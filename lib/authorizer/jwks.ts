import { isUtf8 } from 'node:buffer';
import { constants, createPublicKey, KeyObject, VerifyKeyObjectInput } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import { LIMITS } from './config';
import { Denial, Reason, ReasonCode } from './reasons';
import type { SignatureAlgorithm } from '../spec/contracts/identity';

/** A JWK from the issuer's set, checked once when the set is loaded (not per request). */
export interface PreparedKey {
  readonly kid: string;
  /** The public members only, as published (for inspection; verification uses {@link verifyKey}). */
  readonly jwk?: JwkWithKid;
  /** Algorithms this key may verify (its `alg` if published, else those its type and curve allow). */
  readonly algorithms: ReadonlySet<string>;
  /** The key for node:crypto `verify`, built once per JWKS load (ECDSA: with the JWS `r || s` signature encoding). */
  readonly verifyKey?: KeyObject | VerifyKeyObjectInput;
  /** RSA keys: the same key for RSASSA-PSS (PS256/384/512), with MGF1 and a salt as long as the digest (RFC 7518 §3.5). */
  readonly pssVerifyKey?: VerifyKeyObjectInput;
  /** Set when the key is unusable: every token naming it is denied with this reason. */
  readonly unusable?: ReasonCode;
}

/** Fetches a JWKS body: one GET, a hard deadline (AbortController), a size cap, no redirects, 200 only. */
export type JwksFetcher = (uri: string, deadlineMs: number, maxBytes: number) => Promise<Buffer>;

export const fetchJwksBody: JwksFetcher = (uri, deadlineMs, maxBytes) => new Promise<Buffer>((resolve, reject) => {
  const url = new URL(uri);
  let settled = false;
  const finish = (err: Error | undefined, body?: Buffer): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (err) {
      // Destroying the request ends the socket and any body still arriving (the deadline is a hard one).
      req.destroy();
      reject(err);
    } else {
      resolve(body!);
    }
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  // No AbortController (its stream plumbing costs ~1–2 ms of a cold start) and no keep-alive agent (one request per
  // refresh, minutes apart): `req.destroy()` on the deadline does the same.
  const req = send(url, { method: 'GET', headers: { accept: 'application/json', connection: 'close' }, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      finish(new Error(`JWKS endpoint answered HTTP ${res.statusCode}`));
      return;
    }
    const declared = Number(res.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      finish(new Error(`JWKS body of ${declared} bytes exceeds the ${maxBytes}-byte cap`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(new Error(`JWKS body exceeds the ${maxBytes}-byte cap`));
      else chunks.push(chunk);
    });
    res.on('end', () => finish(undefined, Buffer.concat(chunks)));
    res.on('error', (e) => finish(e));
    res.on('aborted', () => finish(new Error('JWKS response aborted')));
  });
  const timer = setTimeout(() => finish(new Error(`JWKS fetch exceeded its ${deadlineMs} ms deadline`)), deadlineMs);
  timer.unref();
  req.on('error', (e) => finish(e));
  req.end();
});

const EC_CURVES: Record<string, SignatureAlgorithm> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const RSA_ALGS = new Set<string>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] satisfies SignatureAlgorithm[]);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Checks one published key: type and curve, `use`/`key_ops`, `alg`, RSA modulus length. Never throws. */
export function prepareKey(raw: unknown): PreparedKey | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const jwk = raw as Record<string, unknown>;
  const kid = str(jwk.kid);
  if (!kid || kid.length > LIMITS.maxKidLength) return undefined;
  const unusable = (reason: ReasonCode): PreparedKey => ({ kid, algorithms: new Set(), unusable: reason });
  if (jwk.use !== undefined && jwk.use !== 'sig') return unusable(Reason.KEY_MISMATCH);
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return unusable(Reason.KEY_MISMATCH);
  const kty = str(jwk.kty);
  const alg = str(jwk.alg);
  let algorithms: Set<string>;
  const pub: Record<string, string> = { kty: kty ?? '', kid };
  let verifyKey: KeyObject | VerifyKeyObjectInput;
  let pssVerifyKey: VerifyKeyObjectInput | undefined;
  try {
    if (kty === 'RSA') {
      pub.n = str(jwk.n) ?? '';
      pub.e = str(jwk.e) ?? '';
      verifyKey = createPublicKey({ key: pub, format: 'jwk' });
      const bits = verifyKey.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < LIMITS.minRsaBits) return unusable(Reason.WEAK_KEY);
      algorithms = new Set(RSA_ALGS);
      pssVerifyKey = { key: verifyKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    } else if (kty === 'EC') {
      const crv = str(jwk.crv) ?? '';
      const curveAlg = Object.prototype.hasOwnProperty.call(EC_CURVES, crv) ? EC_CURVES[crv] : undefined;
      if (!curveAlg) return unusable(Reason.KEY_MISMATCH);
      Object.assign(pub, { crv, x: str(jwk.x) ?? '', y: str(jwk.y) ?? '' });
      // createPublicKey rejects points off the curve; JWS ECDSA signatures are `r || s`, not DER.
      verifyKey = { key: createPublicKey({ key: pub, format: 'jwk' }), dsaEncoding: 'ieee-p1363' };
      algorithms = new Set([curveAlg]);
    } else if (kty === 'OKP' && jwk.crv === 'Ed25519') {
      Object.assign(pub, { crv: 'Ed25519', x: str(jwk.x) ?? '' });
      verifyKey = createPublicKey({ key: pub, format: 'jwk' });
      algorithms = new Set(['EdDSA']);
    } else {
      // `oct` (HMAC) keys and anything else: never a verification key here (no HS/RS confusion).
      return unusable(Reason.KEY_MISMATCH);
    }
  } catch {
    return unusable(Reason.KEY_MISMATCH);
  }
  if (alg !== undefined) {
    if (!algorithms.has(alg)) return unusable(Reason.KEY_MISMATCH);
    algorithms = new Set([alg]);
    pub.alg = alg;
  }
  pub.use = 'sig';
  return { kid, jwk: pub as unknown as JwkWithKid, algorithms, verifyKey, pssVerifyKey };
}

/** Parses and checks a JWKS body; throws on anything that is not `{ "keys": [...] }`. */
export function parseJwks(body: Buffer): Map<string, PreparedKey> {
  // isUtf8 (native) rather than a fatal TextDecoder: the same refusal of invalid UTF-8, without loading the decoder at a cold start.
  if (!isUtf8(body)) throw new Error('JWKS is not UTF-8');
  const text = body.toString('utf8');
  const doc = safeJsonParse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new Error('JWKS is not an object with a `keys` array');
  }
  const keys = new Map<string, PreparedKey>();
  for (const raw of ((doc as { keys: unknown[] }).keys).slice(0, LIMITS.maxJwksKeys)) {
    const key = prepareKey(raw);
    // A kid published twice is ambiguous: neither copy is used.
    if (key) keys.set(key.kid, keys.has(key.kid) ? { kid: key.kid, algorithms: new Set(), unusable: Reason.KEY_MISMATCH } : key);
  }
  return keys;
}

export interface IssuerJwksOptions {
  readonly timeoutMs: number;
  readonly maxAgeMs: number;
  readonly clock: () => number;
  readonly fetcher: JwksFetcher;
  /** Called after each fetch attempt (for the log): error undefined on success. */
  readonly onFetch?: (uri: string, ms: number, error?: Error) => void;
}

/**
 * One issuer's key set, cached per cold start. Concurrent fetches are merged into one; an unknown `kid` refetches
 * at most once per {@link LIMITS.unknownKidRefetchMs}, counted from the last such refetch (key rotation works at once,
 * forged kids cannot cause a fetch storm);
 * a failed fetch is retried after {@link LIMITS.failedFetchRetryMs}; a stale set is kept when a refresh fails.
 * Tokens are verified against exactly these keys (each checked once, when its set is loaded).
 */
export class IssuerJwks {
  private keys = new Map<string, PreparedKey>();
  private fetchedAt?: number;
  private expiresAt = 0;
  private retryAfter = 0;
  private unknownKidFetchAt?: number;
  private inflight?: Promise<void>;

  constructor(readonly uri: string, private readonly options: IssuerJwksOptions) {}

  /** The key for `kid` when the cached set is fresh and has it (the hot path: no promise, no await). */
  freshKey(kid: string, now: number = this.options.clock()): PreparedKey | undefined {
    const key = this.keys.get(kid);
    return key && now < this.expiresAt ? key : undefined;
  }

  /** The key for `kid`, fetching or refreshing the set when needed. Throws a {@link Denial}. */
  async getKey(kid: string): Promise<PreparedKey> {
    const now = this.options.clock();
    const cached = this.keys.get(kid);
    if (cached && now < this.expiresAt) return cached;
    const loaded = this.fetchedAt !== undefined;
    // The cooldown runs from the last refetch an unknown kid caused, not from the last fetch: a key rotated in right
    // after a scheduled fetch (or the init prefetch) is found at once, and forged kids still cause one fetch per window.
    const unknownKidMayFetch = !cached && (this.unknownKidFetchAt === undefined || now - this.unknownKidFetchAt >= LIMITS.unknownKidRefetchMs);
    const stale = !loaded || now >= this.expiresAt;
    if ((stale || unknownKidMayFetch) && now >= this.retryAfter) {
      if (!stale) this.unknownKidFetchAt = now;
      try {
        await this.refresh();
      } catch (e) {
        if (!loaded) throw new Denial(Reason.JWKS_UNAVAILABLE, (e as Error).message);
      }
    } else if (!loaded) {
      throw new Denial(Reason.JWKS_UNAVAILABLE, 'an earlier JWKS fetch failed; waiting before the next attempt');
    }
    const key = this.keys.get(kid);
    if (!key) throw new Denial(Reason.UNKNOWN_KID);
    return key;
  }

  /**
   * Starts a fetch ahead of the first request (Lambda init). Never rejects. A failure sets no back-off: the first request
   * fetches again within its own deadline, and is denied if that fails too (fail closed).
   */
  prefetch(): Promise<void> {
    return this.refresh(false).catch(() => undefined);
  }

  /** Fetches the set now (merged with any fetch in flight). */
  refresh(backOffOnFailure = true): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.load(backOffOnFailure).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private install(keys: Map<string, PreparedKey>): void {
    this.keys = keys;
    this.fetchedAt = this.options.clock();
    this.expiresAt = this.fetchedAt + this.options.maxAgeMs;
  }

  private async load(backOffOnFailure: boolean): Promise<void> {
    const started = this.options.clock();
    try {
      const body = await this.options.fetcher(this.uri, this.options.timeoutMs, LIMITS.maxJwksBytes);
      this.install(parseJwks(body));
      this.options.onFetch?.(this.uri, this.options.clock() - started);
    } catch (e) {
      if (backOffOnFailure) this.retryAfter = this.options.clock() + LIMITS.failedFetchRetryMs;
      this.options.onFetch?.(this.uri, this.options.clock() - started, e as Error);
      throw e;
    }
  }
}
