/**
 * The compiled Cedar engine against @cedar-policy/cedar-wasm (the oracle) on random policy sets from the grammar of
 * the compiled subset × random requests: the decision, the determining policies and the erroring policies must be
 * the same in every case. Differences found while building the compiler are kept below as regression cases.
 */
import { compare, differential, randomPolicySet, randomRequest, RandomRequest, rng } from './cedar-grammar';
import { loadCedar } from '../../lib/authorizer/cedar/wasm';
import { CompiledCedarPolicies } from '../../lib/authorizer/cedar/policies';

const cedar = loadCedar();

const request = (context: Record<string, unknown>, over: Partial<RandomRequest> = {}): RandomRequest => ({
  principal: { type: 'User', id: 'alice' }, action: 'GET /a', resource: '/a', context, ...over,
});

describe('compiled Cedar against cedar-wasm', () => {
  test('10,000 random cases from the subset grammar: 0 differences, every set compiled', () => {
    const { cases, differences } = differential(cedar, 20260102, 500, 20);
    expect(cases).toBe(10_000);
    expect(differences.slice(0, 3)).toEqual([]);
    // The generator stays within the subset: every set it makes compiles (else the test would compare nothing).
    const r = rng(7);
    for (let i = 0; i < 200; i++) expect(() => new CompiledCedarPolicies(randomPolicySet(r))).not.toThrow();
  });

  test('the random cases exercise allows, denies, forbids and errors', () => {
    const r = rng(99);
    const seen = { allow: 0, forbid: 0, error: 0, none: 0 };
    for (let i = 0; i < 300; i++) {
      const set = new CompiledCedarPolicies(randomPolicySet(r));
      const d = set.isAuthorized(randomRequest(r));
      if (d.erroring.length > 0) seen.error++;
      if (d.decision === 'allow') seen.allow++;
      else if (d.policies.length > 0) seen.forbid++;
      else seen.none++;
    }
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(10);
  });

  // Each of these is a case that once differed (or is an edge Cedar defines precisely); all must agree.
  const regressions: Array<[string, string, RandomRequest]> = [
    ['Long overflow is an error, not a wrapped or rounded value', 'permit (principal, action, resource) when { 9223372036854775807 + 1 > 0 };', request({})],
    ['past 2^53 integers stay exact', 'permit (principal, action, resource) when { 9007199254740993 != 9007199254740992 };', request({})],
    ['the most negative literal is representable; negating it overflows',
      'permit (principal, action, resource) when { -9223372036854775808 < 0 };\npermit (principal, action, resource) when { --9223372036854775808 < 0 };', request({})],
    ['multiplication overflow', 'forbid (principal, action, resource) when { 3037000500 * 3037000500 > 0 };\npermit (principal, action, resource);', request({})],
    ['an erroring forbid is skipped (Cedar allows; the platform denies)',
      'forbid (principal, action, resource) when { context.missing };\npermit (principal, action, resource);', request({})],
    ['short-circuit: no error past a false &&', 'permit (principal, action, resource) when { false && context.missing };', request({})],
    ['a non-boolean condition is an error', 'permit (principal, action, resource) when { 1 };', request({})],
    ['sets compare as sets', 'permit (principal, action, resource) when { [1, 2, 2] == [2, 1] && [[1, 2]].contains([2, 1]) };', request({})],
    ['ip equality keeps the prefix and the address as written',
      'permit (principal, action, resource) when { ip("10.0.0.1") == ip("10.0.0.1/32") && ip("10.0.0.0/8") != ip("10.1.0.0/8") };', request({})],
    ['invalid IP texts error', 'permit (principal, action, resource) when { ip(context.sourceIp).isIpv4() };', request({ sourceIp: '010.1.2.3' })],
    ['IPv4 inside IPv6 is refused', 'permit (principal, action, resource) when { ip(context.sourceIp).isIpv6() };', request({ sourceIp: '::ffff:1.2.3.4' })],
    ['like with an escaped star', 'permit (principal, action, resource) when { context.route like "a\\**" };', request({ route: 'a*b' })],
    ['like with overlapping runs', 'permit (principal, action, resource) when { context.route like "*ab*ba*" };', request({ route: 'aba' })],
    ['in a set with a non-entity is an error', 'permit (principal, action, resource) when { principal in [User::"alice", "alice"] };', request({})],
    ['has on an entity without data is false; reading it errors',
      'permit (principal, action, resource) when { !(principal has name) };\npermit (principal, action, resource) when { principal.name == "" };', request({})],
    ['is ... in short-circuits on the type', 'permit (principal is ApiClient in [1], action, resource);\npermit (principal, action, resource) when { principal is ApiClient in 1 };', request({})],
    ['action-scoped policies for another action are not evaluated', 'permit (principal, action == Action::"POST /a", resource) when { context.missing };', request({})],
  ];

  test.each(regressions)('%s', (_name, policies, req) => {
    expect(compare(cedar, policies, [req])).toEqual([]);
  });

  test('a set outside the subset is not compiled', () => {
    for (const text of [
      'permit (principal, action, resource) when { decimal("1.5").lessThan(decimal("2.0")) };',
      'permit (principal, action, resource) when { context has a.b };',
      'permit (principal == ?principal, action, resource);',
      'permit (principal, action, resource) when { principal.getTag("x") == 1 };',
      'permit (principal, action, resource) when { 9223372036854775808 > 0 };',
      'permit (principal, action, resource) when { "\\u{1F600}" == "" };',
      'permit (principal, action, resource) when { 1 == 1 == true };',
      'permit (principal, action, resource) when { !!!!!true };',
    ]) {
      expect(() => new CompiledCedarPolicies(text)).toThrow(expect.objectContaining({ name: 'Unsupported' }));
    }
  });
});
