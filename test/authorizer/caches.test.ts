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
