// Which engine a policy set takes: compiled closures for the subset, cedar-wasm for anything else; visible before deploy
// (cedarEngineFor) and in the authorizer's cold-start log line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseConfig, LogCapture } from './helpers';
import { cedarEngineFor, createAuthorizer } from '../../lib/authorizer';
import { CedarPolicies } from '../../lib/authorizer/cedar';

const dir = join(__dirname, '..', '..', 'examples', 'policies');
const examples = readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
const outside = 'permit (principal, action, resource) when { context.time > 0 && decimal("1.5").lessThan(decimal("2.0")) };';

test('the example policies compile; a set using decimal() falls back, naming the construct', () => {
  expect(cedarEngineFor(examples)).toEqual({ engine: 'compiled' });
  const choice = cedarEngineFor(`${examples}\n${outside}`);
  expect(choice.engine).toBe('wasm');
  expect(choice.reason).toMatch(/"decimal" \(at offset \d+\)/);
});

test('the authorizer logs which engine its policies take at the cold start', () => {
  for (const [policies, engine, level] of [[examples, 'compiled', 'INFO'], [outside, 'wasm', 'WARN']] as const) {
    const log = new LogCapture();
    createAuthorizer(baseConfig('https://idp.example.com', 'https://idp.example.com/jwks', { policies }), { log: log.sink, jwksFetcher: async () => Buffer.from('{"keys":[]}') });
    const line = log.lines.find((l) => l.message === 'Cedar policies loaded');
    expect(line).toMatchObject({ level, engine });
    expect(line?.fallbackReason === undefined).toBe(engine === 'compiled');
  }
});

test('a set with a syntax error goes to the engine, which refuses it', () => {
  expect(() => new CedarPolicies('permit (principal, action, resource) when { context.x == };')).toThrow(/Cedar policies do not parse/);
});

test('the wasm engine is used only when asked or needed, with the same answers', () => {
  const context = { scopes: ['orders:read'], tenant: 'acme', params: { id: '1' }, route: 'GET /orders/{id}', certificateBound: false, mfa: false };
  const request = {
    principal: { type: 'User', id: 'u' },
    action: 'GET /orders/{id}',
    resource: '/orders/1',
    context: { ...context, authMethod: 'jwt', clientId: 'c', subject: 'u', sourceIp: '10.0.0.1' } as never,
  };
  const compiled = new CedarPolicies(examples);
  const wasm = new CedarPolicies(examples, { engine: 'wasm' });
  expect([compiled.engine, wasm.engine]).toEqual(['compiled', 'wasm']);
  expect(compiled.isAuthorized(request)).toMatchObject({ allowed: true, decision: 'allow', erroring: [] });
  expect(wasm.isAuthorized(request)).toMatchObject({ allowed: true, decision: 'allow', erroring: [] });
});
