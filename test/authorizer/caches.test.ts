import { rng } from './cedar-grammar';
import { TtlFlags } from '../../lib/authorizer/stores';

describe('TtlFlags (the jti cache: yes/no answers held as signed expiries)', () => {
  test('keeps a yes and a no until their own expiry, then forgets them', () => {
    const flags = new TtlFlags(10);
    flags.set('revoked', true, 5_000, 1_000);
    flags.set('clear', false, 2_000, 1_000);
    expect(flags.get('revoked', 2_999)).toBe(true);
    expect(flags.get('clear', 2_999)).toBe(false);
    expect(flags.get('clear', 3_000)).toBeUndefined();
    expect(flags.get('revoked', 5_999)).toBe(true);
    expect(flags.get('revoked', 6_000)).toBeUndefined();
    expect(flags.get('never-set', 0)).toBeUndefined();
    expect(flags.size).toBe(0);
  });

  test('fractional clock readings: an answer lapses at its expiry rounded down to the millisecond, never later', () => {
    const flags = new TtlFlags(10);
    flags.set('clear', false, 2_000, 1_000.75);
    flags.set('revoked', true, 2_000, 1_000.75);
    expect([flags.get('clear', 2_999.99), flags.get('revoked', 2_999.99)]).toEqual([false, true]);
    expect([flags.get('clear', 3_000), flags.get('revoked', 3_000)]).toEqual([undefined, undefined]);
  });

  test('a later answer replaces an earlier one', () => {
    const flags = new TtlFlags(10);
    flags.set('j', false, 1_000, 0);
    flags.set('j', true, 1_000, 10);
    expect(flags.get('j', 500)).toBe(true);
  });

  test('is bounded: the most recent half of the bound is always kept, older entries dropped a generation at a time', () => {
    const flags = new TtlFlags(100);
    for (let i = 0; i < 1_000; i++) flags.set(`j-${i}`, i % 2 === 0, 60_000, 1);
    expect(flags.size).toBeLessThanOrEqual(100);
    for (let i = 950; i < 1_000; i++) expect(flags.get(`j-${i}`, 2)).toBe(i % 2 === 0);
    expect(flags.get('j-0', 2)).toBeUndefined();
  });

  test('caches nothing for a non-positive time to live, or an expiry that cannot carry the sign', () => {
    const flags = new TtlFlags(10);
    flags.set('a', true, 0, 100);
    flags.set('b', true, 1_000, -5_000);
    flags.set('c', false, 1_000, -1_000);
    expect([flags.get('a', 0), flags.get('b', -4_999), flags.get('c', -999)]).toEqual([undefined, undefined, undefined]);
    expect(flags.size).toBe(0);
  });
});

describe('TtlFlags tables (open addressing, deleted slots, generations)', () => {
  /** The former Map-based TtlFlags, as the reference: two generations of Maps, rotated when the current one is full. */
  class MapFlags {
    private current = new Map<string, number>();
    private previous = new Map<string, number>();
    constructor(private readonly generationSize: number) {}
    get(key: string, now: number): boolean | undefined {
      const entry = this.current.get(key) ?? this.previous.get(key);
      if (entry === undefined) return undefined;
      if (now >= Math.abs(entry)) {
        this.current.delete(key);
        this.previous.delete(key);
        return undefined;
      }
      return entry < 0;
    }
    set(key: string, value: boolean, ttlMs: number, now: number): void {
      const expiresAt = Math.floor(now + ttlMs);
      if (!(ttlMs > 0 && expiresAt > 0)) return;
      if (this.current.size >= this.generationSize && !this.current.has(key)) {
        this.previous = this.current;
        this.current = new Map();
      }
      this.current.set(key, value ? -expiresAt : expiresAt);
    }
    get size(): number {
      return this.current.size + this.previous.size;
    }
  }

  test('answers as the Map-based cache did while nothing expires: same answers, same evictions, same size', () => {
    for (const bound of [2, 3, 10, 64]) {
      const random = rng(bound * 7919);
      const flags = new TtlFlags(bound);
      const reference = new MapFlags(Math.max(1, Math.floor(bound / 2)));
      // Few distinct keys, so that updates, shadowed copies and evictions all happen.
      const keys = Array.from({ length: bound * 2 }, (_, i) => `jti-${i}`);
      const differences: string[] = [];
      for (let step = 0; step < 5_000; step++) {
        const key = keys[Math.floor(random() * keys.length)];
        if (random() < 0.5) {
          const value = random() < 0.3;
          flags.set(key, value, 1_000_000, 10);
          reference.set(key, value, 1_000_000, 10);
        } else {
          const [got, expected] = [flags.get(key, 20), reference.get(key, 20)];
          if (got !== expected) differences.push(`bound ${bound}, step ${step}: get ${key} gave ${got}, expected ${expected}`);
        }
        if (flags.size !== reference.size) differences.push(`bound ${bound}, step ${step}: size ${flags.size}, expected ${reference.size}`);
      }
      expect(differences).toEqual([]);
    }
  });

  test('an expired entry leaves a deleted slot that lookups probe past: every key after it in its chain is still found', () => {
    // Eight slots for a generation of four keys: with 200 tables (each with its own hash seed), chains of colliding keys
    // are certain; every other key expires and is read (deleted), and the rest must still answer.
    for (let table = 0; table < 200; table++) {
      const flags = new TtlFlags(8);
      for (let i = 0; i < 4; i++) flags.set(`k${i}`, i === 3, i % 2 === 0 ? 100 : 10_000, 0);
      expect([flags.get('k0', 500), flags.get('k2', 500)]).toEqual([undefined, undefined]);
      expect([flags.get('k1', 500), flags.get('k3', 500)]).toEqual([false, true]);
      expect(flags.size).toBe(2);
      // A key set again after its deletion is found again.
      flags.set('k0', true, 10_000, 500);
      expect(flags.get('k0', 600)).toBe(true);
    }
  });

  test('an expired answer is dropped from both generations: the older copy it shadowed does not answer instead', () => {
    const flags = new TtlFlags(4);
    flags.set('j', true, 10_000, 0);
    flags.set('a', false, 10_000, 0);
    // The generation of two is full: 'b' starts a new one, and 'j' again goes into it, with a short life, shadowing the first answer.
    flags.set('b', false, 10_000, 0);
    flags.set('j', false, 100, 0);
    expect(flags.get('j', 50)).toBe(false);
    expect(flags.get('j', 200)).toBeUndefined();
    expect(flags.get('j', 300)).toBeUndefined();
  });

  test('a table never fills: a long run of keys, two in three deleted as they expire, keeps every recent live key', () => {
    const flags = new TtlFlags(10);
    for (let i = 0; i < 10_000; i++) {
      flags.set(`k${i}`, false, i % 3 === 0 ? 1_000_000 : 1, i);
      // Expire and delete the short-lived ones as they go.
      flags.get(`k${i - 1}`, i + 1);
    }
    for (let i = 9_990; i < 10_000; i++) if (i % 3 === 0) expect(flags.get(`k${i}`, 10_001)).toBe(false);
    expect(flags.size).toBeLessThanOrEqual(10);
  });
});
