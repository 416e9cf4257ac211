// Per-action policy subsets: each action is evaluated against only the policies that can apply to it, with only the
// context attributes those read. This must never change an answer: same decision, same determining policies, same errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CedarContext, CedarContextSource, CedarDecision, CedarPolicies } from '../../lib/authorizer/cedar';
import { likeMatches, loadCedar, referencedContext, splitPolicies, WasmCedarPolicies } from '../../lib/authorizer/cedar/wasm';

// A policy library with tenant-scoped routes (the example app's own policies name only its routes).
const dir = join(__dirname, '..', 'fixtures', 'policies');
const examples = readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');

const ROUTES = [
  'GET /orders/{id}', 'GET /tenants/{tenantId}/orders/{id}', 'POST /orders', 'POST /tenants/{tenantId}/orders',
  'DELETE /tenants/{tenantId}/orders/{id}', 'GET /partner/orders/{id}', 'POST /partner/orders', 'GET /health', 'PUT /other',
];

function context(route: string, overrides: Partial<CedarContext> = {}): CedarContext {
  return {
    tenant: 'acme',
    authMethod: 'jwt',
    issuer: 'https://idp',
    subject: 'user-1',
    clientId: 'client-1',
    scopes: ['orders:read'],
    groups: [],
    roles: [],
    amr: ['pwd'],
    mfa: false,
    params: { tenantId: 'acme', id: '1' },
    route,
    sourceIp: '203.0.113.7',
    certificateBound: false,
    mtls: false,
    time: 1_700_000_000,
    hourUtc: 12,
    dayOfWeekUtc: 3,
    ...overrides,
  };
}

/** Principals and contexts that reach allow, policy deny, forbid and evaluation-error outcomes across the example policies. */
const VARIANTS: Array<{ principal: { type: string; id: string }; context: Partial<CedarContext> }> = [
  { principal: { type: 'User', id: 'user-1' }, context: {} },
  { principal: { type: 'User', id: 'user-1' }, context: { scopes: ['orders:read', 'orders:write', 'partner:read'], groups: ['order-writers', 'admins'], mfa: true, sourceIp: '10.1.2.3' } },
  { principal: { type: 'User', id: 'user-1' }, context: { scopes: ['orders:write'], roles: ['writer'], mfa: false } },
  { principal: { type: 'User', id: 'user-1' }, context: { groups: ['admins'], mfa: true, sourceIp: '203.0.113.7' } },
  { principal: { type: 'User', id: 'user-1' }, context: { scopes: ['partner:read'], certificateBound: true, mtls: true } },
  { principal: { type: 'User', id: 'user-1' }, context: { tenant: 'other', scopes: ['orders:read', 'orders:write'], mfa: true } },
  { principal: { type: 'User', id: 'client-1' }, context: { subject: 'client-1', scopes: ['orders:write'], groups: ['order-writers'] } },
  { principal: { type: 'User', id: 'user-1' }, context: { sourceIp: 'not-an-ip', groups: ['admins'], mfa: true } },
  { principal: { type: 'ApiClient', id: 'key-1' }, context: { authMethod: 'apiKey', scopes: ['orders:read', 'orders:write'], sourceIp: '10.0.0.1' } },
  { principal: { type: 'ApiClient', id: 'key-1' }, context: { authMethod: 'apiKey', params: {}, scopes: ['orders:read'] } },
];

/** Cedar reports determining policies and errors in no particular order. */
type Sorted = Pick<CedarDecision, 'allowed' | 'decision' | 'policies' | 'erroring'> & { errors?: readonly string[] };
function sorted(d: CedarDecision): Sorted {
  const policies = [...d.policies].sort();
  return { allowed: d.allowed, decision: d.decision, policies, errors: [...d.errors].sort(), erroring: [...d.erroring].sort() };
}

/** The compiled engine's error messages are its own; the policies that errored are Cedar's. */
function withoutMessages(d: CedarDecision): ReturnType<typeof sorted> {
  const { errors: _errors, ...rest } = sorted(d);
  return rest;
}

/** The same context, as the authorizer gives it: one attribute at a time, recording which were asked for. */
function lazy(full: CedarContext, asked: Set<string>): CedarContextSource {
  return (key) => {
    asked.add(key);
    return full[key];
  };
}

/** Path parameters beyond those the policies read, and ones without a value (API Gateway sends only strings, but still). */
const EXTRA_PARAMS = { id: '1', other: 'x', missing: undefined } as unknown as Record<string, string>;

/** Cedar itself, stateless, on the whole text with the whole context: every attribute, parameter and set element. */
interface FullRequest {
  principal: { type: string; id: string };
  action: string;
  resource: string;
  context: CedarContext;
}

function groundTruth(policies: string, request: FullRequest): ReturnType<typeof sorted> {
  const answer = loadCedar().isAuthorized({
    principal: request.principal,
    action: { type: 'Action', id: request.action },
    resource: { type: 'Path', id: request.resource },
    context: JSON.parse(JSON.stringify(request.context)) as Record<string, never>,
    policies: { staticPolicies: policies },
    entities: [],
  });
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer));
  const errors = answer.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
  return {
    allowed: answer.response.decision === 'allow' && errors.length === 0,
    decision: answer.response.decision,
    policies: [...answer.response.diagnostics.reason].sort(),
    errors: errors.sort(),
    erroring: answer.response.diagnostics.errors.map((e) => e.policyId).sort(),
  };
}

function compare(policies: string, routes: readonly string[]): void {
  const perAction = new WasmCedarPolicies(policies);
  const whole = new WasmCedarPolicies(policies, { perAction: false });
  // Half the routes known up front (their subsets parsed at construction), the others reached later (the whole set then).
  const prepared = new WasmCedarPolicies(policies, { actions: routes.filter((_, i) => i % 2 === 0) });
  // The same answers from the compiled engine when the set compiles (escaped strings, for one, fall back to the engine).
  const compiled = new CedarPolicies(policies);
  for (const route of routes) {
    for (const v of VARIANTS) {
      for (const params of [undefined, EXTRA_PARAMS]) {
        const full = context(route, v.context);
        if (params) full.params = { ...full.params, ...params };
        const request = { principal: v.principal, action: route, resource: '/r/1', context: full };
        const expected = groundTruth(policies, request);
        expect({ route, v, params, answer: sorted(whole.isAuthorized(request)) }).toEqual({ route, v, params, answer: expected });
        expect({ route, v, params, answer: sorted(perAction.isAuthorized(request)) }).toEqual({ route, v, params, answer: expected });
        expect({ route, v, params, answer: sorted(prepared.isAuthorized(request)) }).toEqual({ route, v, params, answer: expected });
        const mine = compiled.isAuthorized({ ...request, context: lazy(full, new Set()) });
        expect({ route, v, params, answer: compiled.engine === 'compiled' ? withoutMessages(mine) : sorted(mine) })
          .toEqual({ route, v, params, answer: compiled.engine === 'compiled' ? { ...expected, errors: undefined } : expected });
        // Built lazily: the same answer, and only the attributes sent to Cedar are built.
        const asked = new Set<string>();
        expect({ route, v, params, answer: sorted(perAction.isAuthorized({ ...request, context: lazy(full, asked) })) })
          .toEqual({ route, v, params, answer: expected });
        expect([...asked].sort()).toEqual([...perAction.contextKeysFor(route)].sort());
      }
    }
  }
}

describe('per-action policy subsets', () => {
  test('the example policies give identical answers per action and for the whole set, on every route and principal', () => {
    expect(new CedarPolicies(examples).engine).toBe('compiled');
    compare(examples, ROUTES);
  });

  test('each action is evaluated against the policies that can apply to it, with fewer context attributes', () => {
    const cedar = new WasmCedarPolicies(examples);
    expect(cedar.policiesFor('GET /tenants/{tenantId}/orders/{id}')).toEqual(['policy2', 'policy9']);
    expect(cedar.contextKeysFor('GET /tenants/{tenantId}/orders/{id}')).toEqual(['tenant', 'scopes', 'params']);
    expect(cedar.policiesFor('GET /partner/orders/{id}')).toEqual(['policy0', 'policy1', 'policy9']);
    expect(cedar.policiesFor('DELETE /tenants/{tenantId}/orders/{id}')).toEqual(['policy4', 'policy6', 'policy7', 'policy8', 'policy9']);
    expect(cedar.contextKeys.length).toBe(12);
  });

  test('never drops a policy that Cedar partial evaluation says may apply to the action', () => {
    const cedar = loadCedar();
    // Principal scopes relaxed (partial evaluation cannot see past an unknown principal); that only widens what may apply.
    const relaxed = examples.replace(/principal is (User|ApiClient)/g, 'principal');
    const unknown = Object.fromEntries(['tenant', 'authMethod', 'subject', 'clientId', 'scopes', 'groups', 'roles', 'mfa', 'params', 'sourceIp', 'certificateBound']
      .map((k) => [k, { __extn: { fn: 'unknown', arg: k } }]));
    const ours = new WasmCedarPolicies(examples);
    for (const route of ROUTES) {
      const answer = cedar.isAuthorizedPartial({
        principal: null, action: { type: 'Action', id: route }, resource: null, context: { ...unknown, route }, policies: { staticPolicies: relaxed }, entities: [],
      });
      if (answer.type !== 'residuals') throw new Error(JSON.stringify(answer));
      const mayApply = Object.entries(answer.response.residuals)
        .filter(([, p]) => JSON.stringify(p.conditions) !== JSON.stringify([{ kind: 'when', body: { Value: false } }]))
        .map(([id]) => id);
      expect(ours.policiesFor(route)).toEqual(expect.arrayContaining(mayApply));
    }
  });

  test('forms it does not recognise are kept for every action (escapes, namespaces, other conditions, unless first)', () => {
    const tricky = [
      '@id("a") permit (principal, action == Action::"GET /x\\u{2f}y", resource);',
      'permit (principal, action == Ns::Action::"GET /orders/{id}", resource);',
      'forbid (principal, action, resource) when { context.route like "DELETE \\*" };',
      'forbid (principal, action, resource) when { context.route like "DELETE *" && context.mfa };',
      'forbid (principal, action, resource) unless { context.route like "GET *" };',
      'forbid (principal, action, resource) when { context.mfa } when { context.route like "DELETE *" };',
      'permit (principal, action in [Action::"GET /orders/{id}", Action::"POST /orders"], resource) when { context.route like "* /orders*" || context.route like "GET *" };',
      '// a comment with ; and action == Action::"x"\npermit (principal, action, resource) when { context.params has tenantId && "a;b" == "a;b" };',
    ].join('\n');
    const parts = splitPolicies(tricky)!;
    expect(parts.map((p) => p.id)).toEqual(['policy0', 'policy1', 'policy2', 'policy3', 'policy4', 'policy5', 'policy6', 'policy7']);
    expect(parts.map((p) => p.actions === undefined && p.routePatterns === undefined)).toEqual([true, true, true, true, true, true, false, true]);
    expect(new WasmCedarPolicies(tricky).policiesFor('GET /x/y')).toEqual(['policy0', 'policy1', 'policy2', 'policy3', 'policy4', 'policy5', 'policy7']);
    compare(tricky, [...ROUTES, 'GET /x/y', 'DELETE *', 'DELETE /x']);
  });

  test('an action no policy can apply to is denied without error, as the whole set would', () => {
    const only = 'permit (principal, action == Action::"GET /health", resource);';
    const cedar = new WasmCedarPolicies(only);
    expect(cedar.policiesFor('POST /orders')).toEqual([]);
    compare(only, ['POST /orders', 'GET /health']);
  });

  test('with the actions known up front, only their subsets are parsed, and an unlisted action parses only its own', () => {
    const parsed: number[] = [];
    const engine = loadCedar();
    const original = engine.preparsePolicySet;
    const spy = jest.spyOn(engine, 'preparsePolicySet').mockImplementation((id, set) => {
      parsed.push(typeof set.staticPolicies === 'string' ? -1 : Object.keys(set.staticPolicies as Record<string, string>).length);
      return original(id, set);
    });
    try {
      const cedar = new WasmCedarPolicies(examples, { actions: ['GET /tenants/{tenantId}/orders/{id}', 'GET /orders/{id}', 'GET /health'] });
      // GET /orders/{id} and the tenants route share one subset (policy2, policy9); GET /health has its own.
      expect(parsed).toEqual([2, 2]);
      const request = { principal: { type: 'User', id: 'u' }, action: 'GET /orders/{id}', resource: '/orders/1', context: context('GET /orders/{id}') };
      expect(cedar.isAuthorized(request).allowed).toBe(true);
      expect(parsed).toEqual([2, 2]);
      cedar.isAuthorized({ ...request, action: 'POST /orders', context: context('POST /orders') });
      expect(parsed).toEqual([2, 2, 3]);
      // Policies every action may need: the listed action's subset is the whole set, and serves as it for the others.
      parsed.length = 0;
      const open = new WasmCedarPolicies('permit (principal, action, resource);\nforbid (principal, action, resource) when { context.mfa };', { actions: ['GET /a'] });
      expect(parsed).toEqual([2]);
      expect(open.isAuthorized({ ...request, action: 'GET /b', context: context('GET /b') }))
        .toEqual({ allowed: true, decision: 'allow', policies: ['policy0'], errors: [], erroring: [] });
      expect(open.isAuthorized({ ...request, action: 'GET /b', context: context('GET /b', { mfa: true }) }).allowed).toBe(false);
      expect(parsed).toEqual([2]);
    } finally {
      spy.mockRestore();
    }
  });

  test('a syntax error in a policy a listed action needs is refused at construction; elsewhere, that action fails closed', () => {
    const broken = 'forbid (principal, action == Action::"DELETE /x", resource) when { context.mfa = false };';
    const health = 'permit (principal, action == Action::"GET /health", resource);';
    expect(() => new WasmCedarPolicies(`${health}\n${broken}`, { actions: ['DELETE /x'] })).toThrow(/AuthorizerConfig\.policies: Cedar policies do not parse/);
    // Not needed by any listed action: not parsed at construction (build-time checkCedarPolicies catches it), and an
    // action that does need it cannot be decided.
    const cedar = new WasmCedarPolicies(`${health}\n${broken}`, { actions: ['GET /health'] });
    expect(cedar.isAuthorized({ principal: { type: 'User', id: 'u' }, action: 'GET /health', resource: '/health', context: context('GET /health') }).allowed).toBe(true);
    expect(() => cedar.isAuthorized({ principal: { type: 'User', id: 'u' }, action: 'DELETE /x', resource: '/x', context: context('DELETE /x') }))
      .toThrow(/Cedar policies do not parse/);
  });

  test('text that does not split into single policies is evaluated whole', () => {
    expect(splitPolicies('permit (principal, action, resource);\npermit (principal, action, resource)')).toBeUndefined();
    expect(new WasmCedarPolicies('permit (principal, action, resource);').policiesFor('GET /health')).toEqual(['policy0']);
  });

  test('only the path parameters the applicable policies read are sent', () => {
    const cedar = new WasmCedarPolicies(examples);
    expect(cedar.paramKeysFor('GET /tenants/{tenantId}/orders/{id}')).toEqual(['tenantId']);
    expect(cedar.paramKeysFor('GET /health')).toEqual(['tenantId']);
    const withId = `${examples}\npermit (principal, action == Action::"GET /orders/{id}", resource) when { context.params.id == "1" };`;
    const byId = new WasmCedarPolicies(withId);
    expect(byId.paramKeysFor('GET /orders/{id}')).toEqual(['tenantId', 'id']);
    expect(byId.paramKeysFor('GET /tenants/{tenantId}/orders/{id}')).toEqual(['tenantId']);
    compare(withId, ROUTES);
  });

  test.each([
    ['context.params.tenantId == "a"', ['params'], ['tenantId']],
    ['context.params["tenantId"] == "a"', ['params'], ['tenantId']],
    ['context["params"].id == "a"', ['params'], ['id']],
    ['context["params"]["id"] == "a"', ['params'], ['id']],
    ['context.params has tenantId && context.params has "id"', ['params'], ['tenantId', 'id']],
    ['context has params', ['params'], []],
    ['context.params == {"tenantId": "a"}', ['params'], undefined],
    ['context.params.tenantId == "a" && context.params != {}', ['params'], undefined],
    ['context.params["te\\u{6e}antId"] == "a"', ['params'], undefined],
    ['context["sc\\u{6f}pes"].contains("a")', 'all', undefined],
    ['context == {}', 'all', undefined],
  ])('path parameters read by `%s`', (condition, keys, params) => {
    const use = referencedContext(`permit (principal, action, resource) when { ${condition} };`);
    if (keys === 'all') expect(use.keys).toHaveLength(18);
    else expect(use.keys).toEqual(keys);
    expect(use.params).toEqual(params);
  });

  test('a policy that reads the parameters as a whole gets all of them, and the same answer', () => {
    const whole = 'permit (principal, action, resource) when { context.params == {"tenantId": "acme", "id": "1"} };';
    expect(new WasmCedarPolicies(whole).paramKeysFor('GET /orders/{id}')).toBeUndefined();
    compare(whole, ['GET /orders/{id}']);
    const byName = 'permit (principal, action, resource) when { context.params.tenantId == "acme" && !(context.params has other) };';
    expect(new WasmCedarPolicies(byName).paramKeysFor('GET /orders/{id}')).toEqual(['tenantId', 'other']);
    compare(byName, ['GET /orders/{id}']);
  });

  test.each([
    ['context.scopes.contains("a")', { scopes: ['a'] }],
    ['context.scopes.contains("a") && context["scopes"].containsAny(["b", "c"]) && context.groups.containsAll(["g"])', { scopes: ['a', 'b', 'c'], groups: ['g'] }],
    ['context.scopes.contains("a") && context.scopes == ["a"]', {}],
    ['context.scopes.contains("a") || ["a"].containsAll(context.scopes)', {}],
    ['context.scopes.contains(context.tenant)', {}],
    ['context.scopes.contains("\\u{61}")', {}],
    ['context.scopes.isEmpty() && context.roles.contains("r")', { roles: ['r'] }],
    ['context.amr.containsAny(["mfa", context.tenant])', {}],
    ['context has scopes && context.amr.contains("otp")', { amr: ['otp'] }],
  ])('set elements sent for `%s`', (condition, elements) => {
    expect(referencedContext(`permit (principal, action, resource) when { ${condition} };`).elements).toEqual(elements);
  });

  test('sets narrowed to the elements the policies test for give the same answers as Cedar with the whole sets', () => {
    const policies = [
      'permit (principal, action, resource) when { context.scopes.contains("orders:read") && context.groups.containsAny(["admins", "ops"]) };',
      'forbid (principal, action, resource) when { context.roles.containsAll(["guest", "suspended"]) };',
      'permit (principal, action == Action::"POST /orders", resource) when { context.amr.contains("mfa") || context.scopes.containsAll(["orders:write", "orders:admin"]) };',
      'permit (principal, action == Action::"GET /health", resource) when { context.scopes == ["orders:read"] };',
    ].join('\n');
    const cedar = new WasmCedarPolicies(policies);
    const request = (action: string, sets: Partial<CedarContext>) => ({ principal: { type: 'User', id: 'u' }, action, resource: '/r', context: context(action, sets) });
    for (const action of ['GET /orders/{id}', 'POST /orders', 'GET /health']) {
      for (const sets of [
        { scopes: ['orders:read', 'x', 'y', 'z'], groups: ['ops', 'other'] },
        { scopes: ['orders:read'], groups: ['nobody'], roles: ['guest', 'suspended', 'x'] },
        { scopes: ['orders:write', 'orders:admin', 'orders:read'], amr: ['pwd'], groups: ['admins'] },
        { scopes: [], groups: [], roles: ['guest'], amr: ['mfa', 'pwd'] },
      ]) {
        const r = request(action, sets);
        expect({ action, sets, answer: sorted(cedar.isAuthorized(r)) }).toEqual({ action, sets, answer: groundTruth(policies, r) });
      }
    }
    // GET /health compares the whole set: it is sent whole for that action only.
    expect(referencedContext(policies).elements).toEqual({ groups: ['admins', 'ops'], roles: ['guest', 'suspended'], amr: ['mfa'] });
  });

  test('a path parameter named like an Object.prototype member is read from the request only', () => {
    const policy = 'permit (principal, action, resource) when { context.params has toString };';
    const cedar = new WasmCedarPolicies(policy);
    const request = (params: Record<string, string>) => ({ principal: { type: 'User', id: 'u' }, action: 'GET /x', resource: '/x', context: context('GET /x', { params }) });
    expect(cedar.isAuthorized(request({})).allowed).toBe(false);
    expect(cedar.isAuthorized(request({ toString: 'yes' })).allowed).toBe(true);
  });

  test('like: `*` matches any run of characters', () => {
    expect(likeMatches('DELETE /a', 'DELETE *')).toBe(true);
    expect(likeMatches('GET /partner/x', '* /partner/*')).toBe(true);
    expect(likeMatches('GET /partners', '* /partner/*')).toBe(false);
    expect(likeMatches('a', 'a*a')).toBe(false);
    expect(likeMatches('aa', 'a*a')).toBe(true);
    expect(likeMatches('', '*')).toBe(true);
    expect(likeMatches('abc', 'abc')).toBe(true);
    expect(likeMatches('abcd', 'abc')).toBe(false);
  });
});
