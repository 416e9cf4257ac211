import type { JwtIdentity } from './jwt';
import type { DecisionFields } from './observability';
import { Denial, Reason } from './reasons';
import type { StoreDeadline } from './store-call';
import { RevocationStatus, RevocationStore, TtlCache, TtlFlags } from './stores';

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
 *
 * The subject cache holds the subject revocations the store reported, and the store's answer for tokens without a jti.
 * A token whose jtis the cache holds as not revoked needs nothing more: the store answer that cleared them covered the
 * subject at the same time, and is as old. So a first-seen token with a jti adds one entry (its jti), not two; a subject
 * revocation learned through any token of the subject still denies every cached token of it at once.
 */
export class RevocationCheck {
  private readonly jtiCache: TtlFlags;
  /** Subject revocations, per configured issuer, by subject. */
  private readonly subjectCaches: ReadonlyMap<string, TtlCache<number | null>>;

  constructor(private readonly store: RevocationStore, private readonly deadline: StoreDeadline, private readonly options: RevocationOptions) {
    this.jtiCache = new TtlFlags(options.maxCacheEntries);
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
    // A cached revocation is final whatever else has expired from the cache.
    let cleared = true;
    if (jti !== undefined) cleared = this.cachedJti(jti, now);
    if (originJti !== undefined) cleared = this.cachedJti(originJti, now) && cleared;
    if (cleared) {
      const revokedBefore = subjects.size === 0 ? undefined : subjects.get(id.subject, now);
      if (revokedBefore !== undefined) {
        if (revokedBefore !== null && (id.issuedAt ?? 0) < revokedBefore) throw new Denial(Reason.REVOKED, 'subject');
        return undefined;
      }
      // Jtis the cache cleared: cleared with the subject, by the same store answer (see the class comment).
      if (jti !== undefined || originJti !== undefined) return undefined;
    }
    // A jti the cache does not know (every first-seen token) goes to the store, which answers for the jtis and the
    // subject in the same call and is the fresher word on both: the subject cache is not read first. It is read when
    // the store cannot answer (see `unavailable`), so a subject revocation already known still denies then.
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
      this.unavailable(e, id, subjects, fields, now);
      return undefined;
    }
    if (status instanceof Promise) {
      return status.then(
        (s) => this.apply(id, subjects, jtis, s, this.options.clock()),
        (e: unknown) => this.unavailable(e, id, subjects, fields, this.options.clock()),
      );
    }
    this.apply(id, subjects, jtis, status, now);
    return undefined;
  }

  /**
   * The store could not answer: a denial, unless revocation fails open (the decision is then logged `degraded`). A
   * subject revocation the cache still holds denies either way, as a revocation.
   */
  private unavailable(e: unknown, id: JwtIdentity, subjects: TtlCache<number | null>, fields: DecisionFields, now: number): void {
    const revokedBefore = subjects.get(id.subject, now);
    if (revokedBefore !== undefined && revokedBefore !== null && (id.issuedAt ?? 0) < revokedBefore) throw new Denial(Reason.REVOKED, 'subject');
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
    const before = status.subjectRevokedBefore;
    // A subject revocation is kept for every token of the subject; a token without a jti keeps the store's answer for its
    // subject (nothing else would). Otherwise the answer is the jtis' entries, and a revocation cached earlier and since
    // lifted in the store is dropped.
    if (before !== undefined || jtis.length === 0) subjects.set(id.subject, before ?? null, ttl, now);
    else if (subjects.size > 0) subjects.delete(id.subject);
    if (revoked) throw new Denial(Reason.REVOKED, 'jti');
    if (before !== undefined && (id.issuedAt ?? 0) < before) throw new Denial(Reason.REVOKED, 'subject');
  }
}
