/**
 * Random Cedar policy sets from the grammar of the compiled subset, random requests, and a differential check of the
 * compiled engine against @cedar-policy/cedar-wasm (the oracle): the decision, the determining policies and the
 * erroring policies must be the same. Shared by the differential test (npm test) and the bench (1,000,000 cases).
 */
import type * as CedarWasm from '@cedar-policy/cedar-wasm/nodejs';
import { CompiledCedarPolicies } from '../../lib/authorizer/cedar/policies';

/** mulberry32: a small seeded generator, so that any difference found can be replayed from its seed. */
export function rng(seed: number): () => number {
  /* eslint-disable no-bitwise */
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /* eslint-enable no-bitwise */
}

const PRINCIPALS = [{ type: 'User', id: 'alice' }, { type: 'User', id: 'bob' }, { type: 'ApiClient', id: 'k1' }];
const ACTIONS = ['GET /a', 'POST /a', 'DELETE /t/{id}', 'GET /t/{id}'];
const RESOURCES = ['/a', '/t/1', '/t/2'];
const WORDS = ['acme', 'globex', '', 'a', 'orders:read', 'orders:write', 'admins', 'mfa', 'pwd', 'k1', 'alice', 'GET /a', '*', 'a*b', 'ü'];
const SCOPES = ['orders:read', 'orders:write', 'admin'];
const GROUPS = ['admins', 'order-writers'];
const IPS = [
  '10.1.2.3', '10.0.0.0/8', '192.168.0.1', '127.0.0.1', '127.0.0.1/4', '224.0.0.1', '::1', '::1/127', '2001:db8::1', '2001:db8::/32',
  'ff02::1', '0.0.0.0/0', '::/0', 'not-an-ip', '010.1.2.3', '1.2.3.4/33', '1.2.3.4/08', '::ffff:1.2.3.4', '1:2:3:4:5:6:7::', '1::2::3',
  '10.1.2.3/', '', 'FFFF::', '1:2:3:4:5:6:7:8',
];
const LONGS = ['0', '1', '7', '23', '-1', '9223372036854775807', '-9223372036854775808', '4611686018427387904', '3037000500', '1700000000'];
const SAFE_LONGS = [0, 1, 6, 23, -5, 1700000000, 2 ** 53 - 1, -(2 ** 53 - 1), 3037000500];

type Gen = () => number;
const pick = <T>(r: Gen, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const str = (s: string): string => JSON.stringify(s);

export interface RandomRequest {
  readonly principal: { type: string; id: string };
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, unknown>;
}

function subsetOf(r: Gen, xs: readonly string[]): string[] {
  return xs.filter(() => r() < 0.5);
}

export function randomRequest(r: Gen): RandomRequest {
  const action = pick(r, ACTIONS);
  const params: Record<string, string> = {};
  if (r() < 0.6) params.tenantId = pick(r, ['acme', 'globex']);
  if (r() < 0.5) params.id = pick(r, ['1', '42']);
  const context: Record<string, unknown> = {
    tenant: pick(r, ['acme', 'globex', '']),
    authMethod: pick(r, ['jwt', 'apiKey']),
    subject: pick(r, ['alice', 'k1', '']),
    clientId: pick(r, ['k1', 'web']),
    scopes: subsetOf(r, SCOPES),
    groups: subsetOf(r, GROUPS),
    amr: subsetOf(r, ['pwd', 'mfa', 'otp']),
    mfa: r() < 0.5,
    certificateBound: r() < 0.3,
    params,
    route: action,
    sourceIp: pick(r, IPS),
    time: pick(r, SAFE_LONGS),
    hourUtc: Math.floor(r() * 24),
    n: pick(r, SAFE_LONGS),
  };
  // Sometimes an attribute is absent: `has` and a missing attribute's error are then exercised.
  if (r() < 0.2) delete context[pick(r, Object.keys(context))];
  return { principal: pick(r, PRINCIPALS), action, resource: pick(r, RESOURCES), context };
}

/** An expression's text and its precedence (0 `if`, 1 `||`, 2 `&&`, 3 relation, 4 `+ -`, 5 `*`, 6 unary, 7 member/primary). */
interface E { readonly t: string; readonly p: number }

const at = (e: E, min: number): string => (e.p >= min ? e.t : `(${e.t})`);

class ExprGen {
  constructor(private readonly r: Gen) {}

  private chance(p: number): boolean {
    return this.r() < p;
  }

  bool(d: number): E {
    const r = this.r;
    const leaf = d <= 0 || this.chance(0.3);
    if (leaf) {
      return pick(r, [
        () => ({ t: pick(r, ['true', 'false', 'context.mfa', 'context.certificateBound', 'context["mfa"]']), p: 7 }),
        () => ({ t: `context has ${pick(r, ['mfa', 'tenant', 'params', 'nope', '"n"'])}`, p: 3 }),
        () => ({ t: `context.params has ${pick(r, ['tenantId', 'id', '"x y"'])}`, p: 3 }),
        () => ({ t: this.entityTest(), p: 3 }),
      ])();
    }
    const n = d - 1;
    return pick(r, [
      () => ({ t: `${at(this.bool(n), 2)} && ${at(this.bool(n), 3)}`, p: 2 }),
      () => ({ t: `${at(this.bool(n), 1)} || ${at(this.bool(n), 2)}`, p: 1 }),
      () => ({ t: `${pick(r, ['!', '!!'])}${at(this.bool(n), 7)}`, p: 6 }),
      () => ({ t: `if ${this.bool(n).t} then ${this.bool(n).t} else ${this.bool(n).t}`, p: 0 }),
      () => ({ t: `${at(this.str(n), 4)} ${pick(r, ['==', '!='])} ${at(this.str(n), 4)}`, p: 3 }),
      () => ({ t: `${at(this.long(n), 4)} ${pick(r, ['<', '<=', '>', '>=', '==', '!='])} ${at(this.long(n), 4)}`, p: 3 }),
      () => ({ t: `${at(this.set(n), 7)}.contains(${this.str(n).t})`, p: 7 }),
      () => ({ t: `${at(this.set(n), 7)}.${pick(r, ['containsAll', 'containsAny'])}(${this.set(n).t})`, p: 7 }),
      () => ({ t: `${at(this.set(n), 7)}.isEmpty()`, p: 7 }),
      () => ({ t: `${at(this.str(n), 4)} like ${str(this.pattern())}`, p: 3 }),
      () => ({ t: `${at(this.ip(n), 7)}.isInRange(${this.ip(n).t})`, p: 7 }),
      () => ({ t: `${at(this.ip(n), 7)}.${pick(r, ['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()`, p: 7 }),
      // Mistyped operands: type errors, which skip the policy.
      () => ({ t: `${at(this.any(n), 4)} ${pick(r, ['==', '!=', '<', '>=', 'in'])} ${at(this.any(n), 4)}`, p: 3 }),
      () => ({ t: at(this.any(n), 1), p: 1 }),
      () => ({ t: `${at(this.any(n), 7)}.${pick(r, ['contains', 'containsAny'])}(${this.any(n).t})`, p: 7 }),
      () => ({ t: `${at(this.any(n), 4)} ${pick(r, ['like "a*"', 'has a', 'is User'])}`, p: 3 }),
      () => ({ t: `${at(this.any(n), 7)}.${pick(r, ['a', 'mfa', 'tenantId'])}`, p: 7 }),
    ])();
  }

  private entityTest(): string {
    const r = this.r;
    return pick(r, [
      () => `principal == ${pick(r, ['User::"alice"', 'ApiClient::"k1"', 'User::"k1"'])}`,
      () => `principal is ${pick(r, ['User', 'ApiClient', 'Path'])}`,
      () => `principal is User in ${pick(r, ['User::"alice"', '[User::"bob", User::"alice"]'])}`,
      () => `principal in [${pick(r, ['User::"alice"', 'ApiClient::"k1"'])}, User::"bob"]`,
      () => `action in [Action::${str(pick(r, ACTIONS))}, Action::${str(pick(r, ACTIONS))}]`,
      () => `action == Action::${str(pick(r, ACTIONS))}`,
      () => `resource in Path::${str(pick(r, RESOURCES))}`,
      () => 'resource has owner',
      () => 'principal in [User::"alice", "alice"]',
    ])();
  }

  long(d: number): E {
    const r = this.r;
    if (d <= 0 || this.chance(0.35)) {
      const lit = pick(r, LONGS);
      return pick(r, [
        () => ({ t: lit, p: lit.startsWith('-') ? 6 : 7 }),
        () => ({ t: pick(r, ['context.hourUtc', 'context.time', 'context.n', 'context["n"]']), p: 7 }),
      ])();
    }
    const n = d - 1;
    return pick(r, [
      () => ({ t: `${at(this.long(n), 4)} ${pick(r, ['+', '-'])} ${at(this.long(n), 5)}`, p: 4 }),
      () => ({ t: `${at(this.long(n), 5)} * ${at(this.long(n), 6)}`, p: 5 }),
      () => ({ t: `${pick(r, ['-', '--'])}${at(this.long(n), 7)}`, p: 6 }),
      () => ({ t: `if ${this.bool(n).t} then ${this.long(n).t} else ${this.long(n).t}`, p: 0 }),
    ])();
  }

  str(d: number): E {
    const r = this.r;
    if (d <= 0 || this.chance(0.6)) {
      return pick(r, [
        () => ({ t: str(pick(r, WORDS)), p: 7 }),
        () => ({ t: `context.${pick(r, ['tenant', 'authMethod', 'subject', 'clientId', 'route', 'sourceIp'])}`, p: 7 }),
        () => ({ t: `context.params.${pick(r, ['tenantId', 'id'])}`, p: 7 }),
        () => ({ t: 'context.params["tenantId"]', p: 7 }),
      ])();
    }
    return { t: `if ${this.bool(d - 1).t} then ${this.str(d - 1).t} else ${this.str(d - 1).t}`, p: 0 };
  }

  set(d: number): E {
    const r = this.r;
    return pick(r, [
      () => ({ t: `context.${pick(r, ['scopes', 'groups', 'amr'])}`, p: 7 }),
      () => ({ t: `[${subsetOf(r, [...SCOPES, ...GROUPS, 'pwd', 'mfa']).map(str).join(', ')}]`, p: 7 }),
      () => ({ t: `[${this.str(d - 1).t}, ${this.str(d - 1).t}]`, p: 7 }),
      () => ({ t: `[1, "orders:read", ${pick(r, ['User::"alice"', 'true', '[1]', '{a: 1}'])}]`, p: 7 }),
      () => ({ t: '[[1, 2], [2, 1]]', p: 7 }),
    ])();
  }

  ip(d: number): E {
    const r = this.r;
    return pick(r, [
      () => ({ t: `ip(${str(pick(r, IPS))})`, p: 7 }),
      () => ({ t: 'ip(context.sourceIp)', p: 7 }),
      () => ({ t: `ip(${this.str(d - 1).t})`, p: 7 }),
    ])();
  }

  any(d: number): E {
    const r = this.r;
    return pick(r, [
      () => this.bool(d - 1),
      () => this.long(d - 1),
      () => this.str(d - 1),
      () => this.set(d - 1),
      () => this.ip(d - 1),
      () => ({ t: pick(r, ['principal', 'action', 'resource', 'context', 'context.params', 'User::"alice"']), p: 7 }),
      () => ({ t: `{a: ${this.long(d - 1).t}, "b c": ${this.str(d - 1).t}}`, p: 7 }),
      () => ({ t: '{tenantId: "acme"}', p: 7 }),
    ])();
  }

  pattern(): string {
    const r = this.r;
    const n = Math.floor(r() * 4);
    let s = '';
    for (let i = 0; i < n; i++) s += pick(r, ['*', 'a', 'GET ', '/a', '/t/', '*', 'acme', '\\*', 'b', 'ü']);
    return s;
  }

  policy(): string {
    const r = this.r;
    const principal = pick(r, ['principal', 'principal', 'principal == User::"alice"', 'principal is User', 'principal is ApiClient in ApiClient::"k1"',
      'principal in User::"bob"']);
    const action = pick(r, ['action', 'action', `action == Action::${str(pick(r, ACTIONS))}`,
      `action in [Action::${str(pick(r, ACTIONS))}, Action::${str(pick(r, ACTIONS))}]`, `action in Action::${str(pick(r, ACTIONS))}`]);
    const resource = pick(r, ['resource', 'resource', 'resource == Path::"/a"', 'resource is Path', 'resource in Path::"/t/1"']);
    let text = `${r() < 0.3 ? '@id("x")\n' : ''}${pick(r, ['permit', 'forbid'])} (${principal}, ${action}, ${resource})`;
    const conditions = Math.floor(r() * 3);
    for (let i = 0; i < conditions; i++) text += `\n${pick(r, ['when', 'unless'])} { ${this.bool(2 + Math.floor(r() * 2)).t} }`;
    return `${text};`;
  }
}

export function randomPolicySet(r: Gen): string {
  const gen = new ExprGen(r);
  const n = 1 + Math.floor(r() * 5);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(gen.policy());
  return out.join('\n');
}

export interface Outcome { decision: string; determining: string[]; erroring: string[] }

export interface Difference { policies: string; request: RandomRequest; compiled: Outcome | string; wasm: Outcome | string }

type Cedar = typeof CedarWasm;
let setCounter = 0;

/**
 * Compares the compiled engine and cedar-wasm on one policy set and the given requests: a difference is any request
 * with another decision, other determining policies or other erroring policies, or a set one engine accepts and the
 * other refuses. Returns the differences (empty when they agree).
 */
export function compare(cedar: Cedar, policies: string, requests: readonly RandomRequest[]): Difference[] {
  const setId = `differential-${setCounter++}`;
  const parsed = cedar.preparsePolicySet(setId, { staticPolicies: policies });
  let compiled: CompiledCedarPolicies | string;
  try {
    compiled = new CompiledCedarPolicies(policies);
  } catch (e) {
    compiled = `not compiled: ${(e as Error).message}`;
  }
  if (parsed.type !== 'success' || typeof compiled === 'string') {
    const wasm = parsed.type === 'success' ? 'parsed' : `refused: ${parsed.errors.map((e) => e.message).join('; ')}`;
    // Both refusing is agreement (the compiled path falls back, and the engine reports the syntax error).
    return typeof compiled === 'string' && parsed.type !== 'success' ? [] : [{ policies, request: requests[0], compiled: typeof compiled === 'string' ? compiled : 'compiled', wasm }];
  }
  const differences: Difference[] = [];
  for (const request of requests) {
    const answer = cedar.statefulIsAuthorized({
      principal: request.principal,
      action: { type: 'Action', id: request.action },
      resource: { type: 'Path', id: request.resource },
      context: request.context as Record<string, CedarWasm.CedarValueJson>,
      preparsedPolicySetId: setId,
      entities: [],
    });
    const wasm: Outcome | string = answer.type === 'success'
      ? {
        decision: answer.response.decision,
        determining: [...answer.response.diagnostics.reason].sort(),
        erroring: answer.response.diagnostics.errors.map((e) => e.policyId).sort(),
      }
      : `failure: ${answer.errors.map((e) => e.message).join('; ')}`;
    const c = compiled.isAuthorized(request);
    const mine: Outcome = { decision: c.decision, determining: [...c.policies].sort(), erroring: [...c.erroring].sort() };
    if (typeof wasm === 'string' || JSON.stringify(mine) !== JSON.stringify(wasm)) differences.push({ policies, request, compiled: mine, wasm });
  }
  return differences;
}

/** Runs `sets` random policy sets × `perSet` random requests from `seed`; returns the case count and the differences. */
export function differential(cedar: Cedar, seed: number, sets: number, perSet: number): { cases: number; differences: Difference[] } {
  const r = rng(seed);
  const differences: Difference[] = [];
  let cases = 0;
  for (let s = 0; s < sets; s++) {
    const policies = randomPolicySet(r);
    const requests = Array.from({ length: perSet }, () => randomRequest(r));
    differences.push(...compare(cedar, policies, requests));
    cases += perSet;
  }
  return { cases, differences };
}
