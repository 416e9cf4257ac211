import type { JwtIdentity } from './jwt';
import type { DecisionFields } from './observability';
import { Denial, Reason } from './reasons';
import type { StoreDeadline } from './store-call';
import { RevocationStatus, RevocationStore, TtlCache } from './stores';

export interface RevocationOptions {
  /** Let a token through (logged `degraded`) when the store cannot answer, instead of denying. */
  readonly failOpen: boolean;
  /** How long a store answer is cached. */
  readonly cacheSeconds: number;
  /** The configured issuers: each has its own subject cache. */
  readonly issuers: readonly string[];
  readonly maxCacheEntries: number;
  readonly clock: () => number;
}

/**
 * Token revocation: by `jti` (and Cognito's `origin_jti`), and by subject ("tokens issued before"). Answers from its
 * caches when it can (synchronously); asks the store once per token otherwise, and caches the answer: a revoked jti
 * until the token expires, everything else for `cacheSeconds`.
 */
export class RevocationCheck {
  private readonly jtiCache: TtlCache<boolean>;
  /** Subject revocations, per configured issuer, by subject. */
  private readonly subjectCaches: ReadonlyMap<string, TtlCache<number | null>>;

  constructor(private readonly store: RevocationStore, private readonly deadline: StoreDeadline, private readonly options: RevocationOptions) {
    this.jtiCache = new TtlCache(options.maxCacheEntries, options.clock);
    this.subjectCaches = new Map(options.issuers.map((i) => [i, new TtlCache<number | null>(options.maxCacheEntries, options.clock)]));
  }

  /**
   * Throws a {@link Denial} when the token is revoked. Returns undefined when the caches answered, a promise when the
   * store must be asked (it rejects with the denial, or resolves when the token stands).
   */
  check(id: JwtIdentity, fields: DecisionFields, now: number): Promise<void> | undefined {
    const subjects = this.subjectCaches.get(id.issuer)!;
    const jti = id.jti;
    const originJti = id.originJti;
    let complete = true;
    // A cached revocation is final whatever else has expired from the cache.
    if (jti !== undefined) complete = this.cachedJti(jti, now) && complete;
    if (originJti !== undefined) complete = this.cachedJti(originJti, now) && complete;
    const revokedBefore = subjects.get(id.subject, now);
    if (revokedBefore !== undefined && revokedBefore !== null && (id.issuedAt ?? 0) < revokedBefore) throw new Denial(Reason.REVOKED, 'subject');
    if (complete && revokedBefore !== undefined) return undefined;
    const jtis = jti === undefined ? (originJti === undefined ? [] : [originJti]) : originJti === undefined ? [jti] : [jti, originJti];
    return this.ask(id, subjects, jtis, fields, now);
  }

  /** Whether the cache knows the jti (throws when it knows it revoked). */
  private cachedJti(jti: string, now: number): boolean {
    const hit = this.jtiCache.get(jti, now);
    if (hit) throw new Denial(Reason.REVOKED, 'jti');
    return hit !== undefined;
  }

  /**
   * One store call. An in-process store answers synchronously, and so does this (undefined, or a throw); a network
   * store's promise is chained, not awaited (a first-seen token pays one promise hop here, not three). `now`: the
   * decision's clock reading, still the time of an answer given synchronously; a network answer reads the clock again.
   */
  private ask(
    id: JwtIdentity, subjects: TtlCache<number | null>, jtis: readonly string[], fields: DecisionFields, now: number,
  ): Promise<void> | undefined {
    let status: RevocationStatus | Promise<RevocationStatus>;
    try {
      status = this.deadline.call(this.store, (o) => this.store.getRevocationStatus({ issuer: id.issuer, subject: id.subject, jtis }, o));
    } catch (e) {
      this.unavailable(e, fields);
      return undefined;
    }
    if (status instanceof Promise) {
      return status.then((s) => this.apply(id, subjects, jtis, s, this.options.clock()), (e: unknown) => this.unavailable(e, fields));
    }
    this.apply(id, subjects, jtis, status, now);
    return undefined;
  }

  /** The store could not answer: a denial, unless revocation fails open (the decision is then logged `degraded`). */
  private unavailable(e: unknown, fields: DecisionFields): void {
    if (!this.options.failOpen) throw new Denial(Reason.REVOCATION_UNAVAILABLE, (e as Error)?.message);
    fields.degraded = 'revocation_unchecked';
  }

  /** Caches the store's answer (as of `now`, the clock's reading when it came) and throws when the token is revoked. */
  private apply(id: JwtIdentity, subjects: TtlCache<number | null>, jtis: readonly string[], status: RevocationStatus, now: number): void {
    const ttl = this.options.cacheSeconds * 1000;
    const revokedJtis = status.revokedJtis;
    let revoked = false;
    for (const j of jtis) {
      const isRevoked = revokedJtis.includes(j);
      revoked ||= isRevoked;
      // A revocation holds until the token expires, so it can be cached that long.
      this.jtiCache.set(j, isRevoked, isRevoked ? Math.max(ttl, id.expiresAt * 1000 - Date.now()) : ttl, now);
    }
    subjects.set(id.subject, status.subjectRevokedBefore ?? null, ttl, now);
    if (revoked) throw new Denial(Reason.REVOKED, 'jti');
    const before = status.subjectRevokedBefore;
    if (before !== undefined && (id.issuedAt ?? 0) < before) throw new Denial(Reason.REVOKED, 'subject');
  }
}
