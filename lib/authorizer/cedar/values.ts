/* eslint-disable no-bitwise -- IP addresses and masks are bit arithmetic on bigints */
/**
 * Cedar values as the compiled policies see them: boolean, Long (a `bigint` kept within 64 bits: JavaScript numbers
 * lose precision past 2^53), string, entity, set, record and ipaddr; with Cedar's equality, `like` and ipaddr rules.
 */

export const LONG_MAX = 9223372036854775807n;
export const LONG_MIN = -9223372036854775808n;

export class EntityUid {
  constructor(readonly type: string, readonly id: string) {}
}

export class CedarSet {
  constructor(readonly items: readonly Value[]) {}
}

export class CedarRecord {
  constructor(readonly map: ReadonlyMap<string, Value>) {}
}

/** An `ipaddr` value: the address as written (not masked) and its prefix length, as Cedar keeps and compares them. */
export class IpAddr {
  constructor(readonly v6: boolean, readonly addr: bigint, readonly prefix: number) {}
}

export type Value = boolean | bigint | string | EntityUid | CedarSet | CedarRecord | IpAddr;

/**
 * An evaluation error: the policy is skipped, as Cedar skips it, and the decision reports it. Not an `Error`: thrown
 * and caught within one decision, it needs no stack trace (whose capture would be most of its cost).
 */
export class EvaluationError {
  constructor(readonly message: string) {}
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'long';
    case 'string': return 'string';
    default:
      if (v instanceof EntityUid) return `(entity of type \`${v.type}\`)`;
      if (v instanceof CedarSet) return 'set';
      if (v instanceof CedarRecord) return 'record';
      return 'ipaddr';
  }
}

export function typeError(expected: string, v: Value): EvaluationError {
  return new EvaluationError(`type error: expected ${expected}, got ${typeName(v)}`);
}

/** Cedar's `==`: structural, sets compared as sets, values of different types unequal (never an error). */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof EntityUid) return b instanceof EntityUid && a.type === b.type && a.id === b.id;
  if (a instanceof CedarSet) return b instanceof CedarSet && subset(a, b) && subset(b, a);
  if (a instanceof CedarRecord) {
    if (!(b instanceof CedarRecord) || a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) {
      const w = b.map.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  return b instanceof IpAddr && a.v6 === b.v6 && a.addr === b.addr && a.prefix === b.prefix;
}

export function setHas(set: CedarSet, v: Value): boolean {
  if (typeof v !== 'object') return set.items.includes(v);
  for (const x of set.items) if (equals(x, v)) return true;
  return false;
}

/** Every element of `a` is in `b`. */
export function subset(a: CedarSet, b: CedarSet): boolean {
  for (const x of a.items) if (!setHas(b, x)) return false;
  return true;
}

/** Cedar `like` on a pattern split at its wildcards: `parts` are the literal runs (one part: no wildcard). */
export function likeMatches(value: string, parts: readonly string[]): boolean {
  if (parts.length === 1) return value === parts[0];
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // Leftmost-first matching of the middle runs is exact for `*`-only patterns; they must fit before the last run.
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}

/** `ip(s)`, as Cedar parses it (Rust's address syntax: no leading zeros in IPv4, no IPv4 inside IPv6, no zone). */
export function parseIp(s: string): IpAddr {
  const fail = (): never => {
    throw new EvaluationError(`error while evaluating \`ipaddr\` extension function: invalid IP address: ${s}`);
  };
  if (s.length > 43 || (count(s, ':') >= 2 && count(s, '.') >= 2)) fail();
  const slash = s.indexOf('/');
  const text = slash < 0 ? s : s.slice(0, slash);
  const v4 = parseV4(text);
  const v6 = v4 === undefined ? parseV6(text) : undefined;
  if (v4 === undefined && v6 === undefined) fail();
  const max = v4 !== undefined ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (p.length === 0 || p.length > (max === 32 ? 2 : 3) || !/^[0-9]+$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > max) fail();
    prefix = Number(p);
  }
  return new IpAddr(v4 === undefined, (v4 ?? v6)!, prefix);
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0') || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  const gap = s.indexOf('::');
  if (gap >= 0 && s.indexOf('::', gap + 1) >= 0) return undefined;
  const head = groups(gap < 0 ? s : s.slice(0, gap));
  const tail = gap < 0 ? [] : groups(s.slice(gap + 2));
  if (head === undefined || tail === undefined) return undefined;
  if (gap < 0 ? head.length !== 8 : head.length + tail.length > 7) return undefined;
  let n = 0n;
  for (const g of head) n = (n << 16n) | g;
  n <<= BigInt(16 * (8 - head.length - tail.length));
  for (const g of tail) n = (n << 16n) | g;
  return n;
}

function groups(s: string): bigint[] | undefined {
  if (s === '') return [];
  const out: bigint[] = [];
  for (const g of s.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(BigInt(`0x${g}`));
  }
  return out;
}

/** `a.isInRange(b)`: the range of `a` lies within that of `b` (an IPv4 and an IPv6 value are never in each other's range). */
export function ipInRange(a: IpAddr, b: IpAddr): boolean {
  if (a.v6 !== b.v6) return false;
  const width = a.v6 ? 128n : 32n;
  const all = (1n << width) - 1n;
  const host = (p: number): bigint => (1n << (width - BigInt(p))) - 1n;
  return (b.addr & (all ^ host(b.prefix))) <= (a.addr & (all ^ host(a.prefix))) && (a.addr | host(a.prefix)) <= (b.addr | host(b.prefix));
}

export function ipLoopback(a: IpAddr): boolean {
  return a.v6 ? a.addr === 1n && a.prefix >= 128 : a.addr >> 24n === 127n && a.prefix >= 8;
}

export function ipMulticast(a: IpAddr): boolean {
  return a.v6 ? a.addr >> 120n === 0xffn && a.prefix >= 8 : a.addr >> 28n === 0xen && a.prefix >= 4;
}
