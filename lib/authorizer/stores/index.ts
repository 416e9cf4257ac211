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

/* eslint-disable no-bitwise -- slot arithmetic (a power-of-two mask) and the string hash are bit operations */

/** Marks a slot whose entry was deleted: probing goes on past it (a key is never this object). */
const DELETED = Object.freeze({});

/**
 * One generation of {@link TtlFlags}: open addressing with linear probing over arrays allocated once, holding each key,
 * its 32-bit hash and its entry. A probe compares hashes in a typed array and reads a key only when they are equal.
 */
class FlagTable {
  readonly keys: Array<string | typeof DELETED | undefined>;
  readonly hashes: Int32Array;
  readonly entries: Float64Array;
  readonly mask: number;
  /** Live entries. */
  size = 0;
  /** Slots taken, deleted ones included: the generation is full when this reaches its share of the bound. */
  used = 0;

  constructor(slots: number) {
    this.keys = new Array<string | typeof DELETED | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    this.entries = new Float64Array(slots);
    this.mask = slots - 1;
  }

  /** The slot holding `key`, or -1. */
  find(key: string, hash: number): number {
    const keys = this.keys;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === undefined) return -1;
      if (this.hashes[i] === hash && k === key) return i;
    }
  }

  /** Adds `key` (not in the table; a slot is free: `used` stays below the slot count). */
  insert(key: string, hash: number, entry: number): void {
    const keys = this.keys;
    let i = hash & this.mask;
    while (keys[i] !== undefined) i = (i + 1) & this.mask;
    keys[i] = key;
    this.hashes[i] = hash;
    this.entries[i] = entry;
    this.size++;
    this.used++;
  }

  delete(slot: number): void {
    this.keys[slot] = DELETED;
    this.size--;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.size = 0;
    this.used = 0;
  }
}

/**
 * A string's 32-bit hash for {@link TtlFlags}: FNV-1a over its UTF-16 code units from a per-process seed, then
 * murmur3's finalizer so that the low bits (the slot) depend on every character.
 */
function hashKey(key: string, seed: number): number {
  let h = seed ^ key.length;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A {@link TtlCache} of yes/no answers (is this jti revoked?), each held as one number: its expiry, negated for a yes.
 * A first-seen token adds one entry here, so its cost is on the path of every first-seen token: two generations (as
 * {@link Generations}: the most recent half of the bound always kept, the older half dropped whole) in tables allocated
 * once per cold start, rather than Maps. Measured on this path (a lookup that misses, then an insert, with 5,000 entries
 * per generation): about 160 ns a token, against 430 ns for two Maps, which grow anew from empty each generation and
 * compare keys by reading each candidate key string. Keys come from verified tokens only (a jti or `origin_jti`, at
 * most 256 characters); the hash is seeded per process. An expiry that is not positive (a clock reading near zero)
 * cannot carry the sign: that answer is not cached, and is asked for again.
 */
export class TtlFlags {
  private current: FlagTable;
  private previous: FlagTable;
  private readonly generationSize: number;
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** The last key hashed, and its hash: a first-seen token's jti is looked up, then set. */
  private lastKey: string | undefined;
  private lastHash = 0;

  constructor(maxEntries: number) {
    this.generationSize = Math.max(1, Math.floor(maxEntries / 2));
    // A load factor of at most 5/8: a power of two at least 1.6 times a generation's entries.
    let slots = 8;
    while (slots * 5 < this.generationSize * 8) slots *= 2;
    this.current = new FlagTable(slots);
    this.previous = new FlagTable(slots);
  }

  /** The cached answer at `now` (the cache's clock), or undefined when not cached or expired. */
  get(key: string, now: number): boolean | undefined {
    const hash = this.hashOf(key);
    let table = this.current;
    let slot = table.find(key, hash);
    if (slot < 0) {
      table = this.previous;
      slot = table.size === 0 ? -1 : table.find(key, hash);
      if (slot < 0) return undefined;
    }
    const entry = table.entries[slot];
    const yes = entry < 0;
    if (now >= (yes ? -entry : entry)) {
      table.delete(slot);
      // A copy in the older generation, shadowed until now, must not answer instead.
      if (table === this.current) this.deleteFrom(this.previous, key, hash);
      return undefined;
    }
    return yes;
  }

  /**
   * The expiry is kept in whole milliseconds, rounded down (the answer lapses up to a millisecond early). A copy left in
   * the previous generation is shadowed: lookups read the current one first.
   */
  set(key: string, value: boolean, ttlMs: number, now: number): void {
    const expiresAt = Math.floor(now + ttlMs);
    if (!(ttlMs > 0 && expiresAt > 0)) return;
    const entry = value ? -expiresAt : expiresAt;
    const hash = this.hashOf(key);
    const slot = this.current.find(key, hash);
    if (slot >= 0) {
      this.current.entries[slot] = entry;
      return;
    }
    if (this.current.used >= this.generationSize) {
      const older = this.previous;
      older.clear();
      this.previous = this.current;
      this.current = older;
    }
    this.current.insert(key, hash, entry);
  }

  /** Entries held (a key in both generations counts twice). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  private hashOf(key: string): number {
    if (key !== this.lastKey) {
      this.lastHash = hashKey(key, this.seed);
      this.lastKey = key;
    }
    return this.lastHash;
  }

  private deleteFrom(table: FlagTable, key: string, hash: number): void {
    const slot = table.size === 0 ? -1 : table.find(key, hash);
    if (slot >= 0) table.delete(slot);
  }
}
/* eslint-enable no-bitwise */
