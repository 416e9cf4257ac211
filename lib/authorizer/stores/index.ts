/**
 * The authorizer's stores: API keys, revocations, tenants. Interfaces here, a DynamoDB implementation in
 * `./dynamodb` (production), an in-memory one in `./memory` (tests, benchmarks, local runs).
 *
 * ## DynamoDB item schema (one table; the operators' CLI writes the same items through `DynamoDbAuthorizerStore`)
 *
 * Table: partition key `pk` (S), sort key `sk` (S), TTL attribute `ttl` (N, epoch seconds). Global table in
 * production (revocations and key hashes replicate to every region). Every `pk` starts with the item kind, so a
 * kind can never be read as another.
 *
 * | Item              | `pk`                              | `sk`       | Attributes                                                                  |
 * |-------------------|-----------------------------------|------------|-----------------------------------------------------------------------------|
 * | API key           | `APIKEY#<sha256 hex of the key>`  | `APIKEY`   | `keyId` S, `tenantId` S, `scopes` SS/L, `disabled` BOOL?, `expiresAt` N?, `createdAt` S, `ttl` N? |
 * | Revoked token     | `REVOKED#JTI#<jti>`               | `REVOKED`  | `revokedAt` N, `reason` S?, `ttl` N (the token's `exp`: the item outlives the token) |
 * | Revoked subject   | `REVOKED#SUB#<issuer>#<sub>`      | `REVOKED`  | `revokedBefore` N (tokens with `iat` before it are revoked), `reason` S?, `ttl` N? |
 * | OAuth client      | `CLIENT#<client id>`              | `CLIENT`   | `tenantId` S, `disabled` BOOL (required: a record without it counts as disabled); read by the pre-token-generation trigger |
 * | Tenant            | `TENANT#<tenantId>`               | `TENANT`   | `disabled` BOOL (required: a record without it counts as disabled), `meteringKey` S? (value of the API Gateway API key of the tenant's usage plan, never given to clients), `plan` S? |
 *
 * - The API key itself is never stored: only the lowercase hex SHA-256 of its UTF-8 bytes. Keys must carry at least
 *   128 bits of entropy (the CLI issues 256-bit keys), which is why an unsalted hash is sufficient.
 * - An API key record is refused when `disabled` is true or `expiresAt` (epoch seconds) has passed; `scopes` may be a
 *   list (L of S), a string set (SS) or one space-separated string.
 * - `origin_jti` (Cognito) is revoked with a `REVOKED#JTI#<origin_jti>` item: it revokes every access token
 *   minted from that refresh token.
 * - `<issuer>` is the exact `iss` value; it cannot contain `#` (the config refuses URL fragments), so the key
 *   splits unambiguously. Tenant ids match `TENANT_ID_PATTERN` (the identity contract).
 */
import { createHash } from 'node:crypto';
import type { Eventually } from '../identity';

/** A DynamoDB primary key of the authorizer table. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** Key builders shared by the authorizer and the operators' CLI: the only place item keys are spelled. */
export const ItemKeys = {
  apiKey: (sha256Hex: string): ItemKey => ({ pk: `APIKEY#${sha256Hex}`, sk: 'APIKEY' }),
  revokedJti: (jti: string): ItemKey => ({ pk: `REVOKED#JTI#${jti}`, sk: 'REVOKED' }),
  revokedSubject: (issuer: string, subject: string): ItemKey => ({ pk: `REVOKED#SUB#${issuer}#${subject}`, sk: 'REVOKED' }),
  tenant: (tenantId: string): ItemKey => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  /** An OAuth client (client credentials) bound to its tenant; read by the user pool's pre-token-generation trigger. */
  client: (clientId: string): ItemKey => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' }),
  /** An operator change on Azure (the CLI's audit entity; the authorizer never reads it): per day, one row per change. */
  audit: (day: string, id: string): ItemKey => ({ pk: `AUDIT#${day}`, sk: id }),
} as const;

/** Lowercase hex SHA-256 of an API key: how a key is looked up (and the only form in which it is stored). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** An API key's record (the key itself is never part of it). */
export interface ApiKeyRecord {
  /** Public identifier of the key (for logs and the `clientId` context value). */
  readonly keyId: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  /** @default false */
  readonly disabled?: boolean;
  /** Epoch seconds after which the key is refused. @default - no expiry */
  readonly expiresAt?: number;
}

/** A tenant's record. */
export interface TenantRecord {
  readonly tenantId: string;
  readonly disabled: boolean;
  /** API Gateway API key value that meters the tenant's usage plan (`usageIdentifierKey`). @default - not metered */
  readonly meteringKey?: string;
  /** @default - none */
  readonly plan?: string;
}

/** What the revocation store knows about one token. */
export interface RevocationQuery {
  readonly issuer: string;
  readonly subject: string;
  /** The token's `jti` and, when present, `origin_jti`. */
  readonly jtis: readonly string[];
}

export interface RevocationStatus {
  /** Those of the queried jtis that are revoked. */
  readonly revokedJtis: readonly string[];
  /** Tokens of this subject issued (`iat`) before this epoch second are revoked. @default - none */
  readonly subjectRevokedBefore?: number;
}

/** Options every store call receives: a signal that fires at the authorizer's store deadline. */
export interface StoreCallOptions {
  readonly signal: AbortSignal;
}

/*
 * Store reads answer with a promise (a network store), or with the value itself (an in-process store: the decision then
 * stays synchronous, without a promise step per lookup). Either may throw, or reject, when the store cannot answer.
 */

export interface ApiKeyStore {
  /** The record for a key hash, or undefined when unknown. Throws (or rejects) when the store cannot answer. */
  getApiKey(sha256Hex: string, options: StoreCallOptions): Eventually<ApiKeyRecord | undefined>;
}

export interface RevocationStore {
  /** Revocation facts for one token. Throws (or rejects) when the store cannot answer. */
  getRevocationStatus(query: RevocationQuery, options: StoreCallOptions): Eventually<RevocationStatus>;
}

export interface TenantStore {
  /** The tenant's record, or undefined when unknown. Throws (or rejects) when the store cannot answer. */
  getTenant(tenantId: string, options: StoreCallOptions): Eventually<TenantRecord | undefined>;
}

/** The stores an authorizer uses; any of them may be injected into `createAuthorizer`. */
export interface AuthorizerStores {
  readonly apiKeys?: ApiKeyStore;
  readonly revocations?: RevocationStore;
  readonly tenants?: TenantStore;
}

/**
 * The eviction the TTL caches share: two generations of at most half the bound each. Entries go into the current one;
 * when it is full it becomes the previous one and the older is dropped whole. So the most recent `maxEntries / 2`
 * entries are always kept, and eviction costs O(1), where evicting the oldest entry of one Map one at a time walks past
 * the holes earlier deletions left at its front.
 */
class Generations<E> {
  private current = new Map<string, E>();
  private previous = new Map<string, E>();
  private readonly generationSize: number;

  constructor(maxEntries: number) {
    this.generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  get(key: string): E | undefined {
    const entry = this.current.get(key);
    return entry !== undefined ? entry : this.previous.get(key);
  }

  /** A copy left in the previous generation is shadowed: lookups read the current one first. */
  set(key: string, entry: E): void {
    if (this.current.size >= this.generationSize && !this.current.has(key)) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, entry);
  }

  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  /** Entries held (at most the bound; a key in both generations counts twice). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/** A bounded TTL cache: per cold start, shared by every request of the sandbox, evicting by {@link Generations}. */
export class TtlCache<V> {
  private readonly entries: Generations<{ readonly value: V; readonly expiresAt: number }>;

  constructor(maxEntries: number, private readonly clock: () => number) {
    this.entries = new Generations(maxEntries);
  }

  /** `now`: the clock's reading, when the caller already has one (saves a clock call per lookup on the hot path). */
  get(key: string, now: number = this.clock()): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number, now: number = this.clock()): void {
    if (ttlMs > 0) this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Entries held (at most the bound; a key in both generations counts twice). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * A {@link TtlCache} of yes/no answers (is this jti revoked?), each held as one number: its expiry, negated for a yes. No
 * entry object per key: a first-seen token adds one to this cache, and an object per entry was most of the cost of the
 * insert and of what the garbage collector then copies. Same generations and bound as TtlCache. An expiry that is not
 * positive (a clock reading near zero) cannot carry the sign: that answer is not cached, and is asked for again.
 */
export class TtlFlags {
  private readonly entries: Generations<number>;

  constructor(maxEntries: number) {
    this.entries = new Generations(maxEntries);
  }

  /** The cached answer at `now` (the cache's clock), or undefined when not cached or expired. */
  get(key: string, now: number): boolean | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const yes = entry < 0;
    if (now >= (yes ? -entry : entry)) {
      this.entries.delete(key);
      return undefined;
    }
    return yes;
  }

  /**
   * The expiry is kept in whole milliseconds, rounded down (the answer lapses up to a millisecond early): an integer of
   * up to 2^30 is held in the map's slot itself, where a fractional reading of the monotonic clock was one more heap
   * object per first-seen token for the garbage collector to copy.
   */
  set(key: string, value: boolean, ttlMs: number, now: number): void {
    const expiresAt = Math.floor(now + ttlMs);
    if (ttlMs > 0 && expiresAt > 0) this.entries.set(key, value ? -expiresAt : expiresAt);
  }

  /** Entries held (a key in both generations counts twice). */
  get size(): number {
    return this.entries.size;
  }
}
