// Cedar policies (RBAC + ABAC), using a library of policies for tenant-scoped routes (test/fixtures/policies).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseConfig, bearer, claims, event, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey } from './helpers';
import {
  AuthorizerConfigError, certificateThumbprint, checkCedarPolicies, createAuthorizer, MemoryAuthorizerStore, Reason, referencedContextKeys,
} from '../../lib/authorizer';

// A policy library with tenant-scoped routes (the example app's own policies name only its routes).
const dir = join(__dirname, '..', 'fixtures', 'policies');
const examples = readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort();
const allPolicies = examples.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');

const server = new JwksServer();
let key: TestKey;
beforeAll(async () => {
  await server.start();
  key = rsaKey('k1');
  server.keys = [key.publicJwk];
});
afterAll(() => server.stop());

const WRITER_KEY = 'writer-key-0123456789abcdef';
const ROUTES = {
  'GET /tenants/{tenantId}/orders/{id}': { scopes: ['orders:read'] },
  'DELETE /tenants/{tenantId}/orders/{id}': {},
  'POST /orders': { scopes: ['orders:write'] },
  'GET /partner/orders/{id}': {},
  'GET /health': {},
};

function setup(policies = allPolicies) {
  const log = new LogCapture();
  const store = new MemoryAuthorizerStore();
  store.putApiKey(WRITER_KEY, { keyId: 'writer', tenantId: 'acme', scopes: ['orders:read', 'orders:write'] });
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { routes: ROUTES, policies, apiKeys: {} }), {
    log: log.sink, stores: { apiKeys: store },
  });
  return { log, authorize };
}

const tenantRoute = (method: string, tenantId: string) => ({
  method, resource: '/tenants/{tenantId}/orders/{id}', path: `/tenants/${tenantId}/orders/1`, pathParameters: { tenantId, id: '1' },
});

test.each(examples)('example policy %s parses', (file) => {
  expect(checkCedarPolicies(readFileSync(join(dir, file), 'utf8'))).toEqual([]);
});

test('syntax errors are reported by checkCedarPolicies and refused by createAuthorizer', () => {
  expect(checkCedarPolicies('permit(principal, action, resource) when { context.x == };').length).toBeGreaterThan(0);
  expect(() => setup('permit(principal action resource);')).toThrow(AuthorizerConfigError);
  expect(() => setup('permit(principal action resource);')).toThrow(/AuthorizerConfig\.policies: Cedar policies do not parse/);
});

test('only the context attributes the policies read are sent to Cedar', () => {
  expect(referencedContextKeys('permit(principal, action, resource) when { context.scopes.contains("a") && context has tenant };'))
    .toEqual(['tenant', 'scopes']);
  expect(referencedContextKeys('permit(principal, action, resource) when { context["mfa"] };')).toEqual(['mfa']);
  // A use that is not a plain attribute access keeps every attribute.
  expect(referencedContextKeys('permit(principal, action, resource) when { context == {} };').length).toBe(18);
  // Comments and strings that mention "context" do not defeat it (Cedar's own parse is used).
  expect(referencedContextKeys(allPolicies)).toEqual(['tenant', 'authMethod', 'subject', 'clientId', 'scopes', 'groups', 'roles', 'mfa', 'params', 'route', 'sourceIp', 'certificateBound']);
});

describe('tenant isolation', () => {
  test('a principal reads its own tenant\'s orders', async () => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { tenant_id: 'acme' })), tenantRoute('GET', 'acme'))));
    expect(o.status).toBe(200);
  });

  test('another tenant\'s path is forbidden, whatever tenant header the client sends', async () => {
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { tenant_id: 'acme' })), {
      ...tenantRoute('GET', 'globex'), headers: { 'X-Tenant-Id': 'globex' },
    })));
    expect(o.status).toBe(403);
    expect(log.last).toMatchObject({ Reason: Reason.POLICY_DENY, tenant: 'acme' });
  });
});

describe('RBAC and context', () => {
  const admin = (extra = {}) => claims(server.issuer, { tenant_id: 'acme', groups: ['admins'], amr: ['pwd', 'otp', 'mfa'], client_id: 'spa', ...extra });

  test('an admin with MFA on the office network deletes', async () => {
    const { authorize } = setup();
    expect((await outcome(authorize(bearer(signJwt(key, admin()), { ...tenantRoute('DELETE', 'acme'), sourceIp: '10.1.2.3' })))).status).toBe(200);
  });

  test.each([
    ['without MFA', { amr: ['pwd'] }, '10.1.2.3'],
    ['from outside the office network', {}, '198.51.100.1'],
    ['without the admins group', { groups: ['users'] }, '10.1.2.3'],
  ])('an admin %s cannot delete', async (_n, extra, ip) => {
    const { log, authorize } = setup();
    expect((await outcome(authorize(bearer(signJwt(key, admin(extra)), { ...tenantRoute('DELETE', 'acme'), sourceIp: ip })))).status).toBe(403);
    expect(log.last.Reason).toBe(Reason.POLICY_DENY);
  });

  test('a policy evaluation error denies (an erroring forbid must not open access)', async () => {
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, admin()), { ...tenantRoute('DELETE', 'acme'), sourceIp: 'not-an-ip' })));
    expect(o.status).toBe(403);
    expect(log.last.Reason).toBe(Reason.POLICY_ERROR);
  });

  test('API keys never delete, but may write', async () => {
    const { log, authorize } = setup();
    const apiKey = { 'x-api-key': WRITER_KEY };
    expect((await outcome(authorize(event({ ...tenantRoute('DELETE', 'acme'), sourceIp: '10.1.2.3', headers: apiKey })))).status).toBe(403);
    expect(log.last).toMatchObject({ Reason: Reason.POLICY_DENY, authMethod: 'apiKey' });
    expect((await outcome(authorize(event({ method: 'POST', resource: '/orders', path: '/orders', headers: apiKey })))).status).toBe(200);
  });

  test('a route no permit covers is denied by default', async () => {
    const { log, authorize } = setup('permit(principal, action == Action::"GET /health", resource);');
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer)), tenantRoute('GET', 'acme'))));
    expect(o.status).toBe(403);
    expect(log.last.Reason).toBe(Reason.POLICY_DENY);
  });
});

describe('certificate-bound tokens (RFC 8705) and the partner policy', () => {
  const pem = `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
  const partner = { method: 'GET', resource: '/partner/orders/{id}', path: '/partner/orders/1', pathParameters: { id: '1' } };

  test('a bound token with its certificate is allowed on a partner route', async () => {
    const { authorize } = setup();
    const token = signJwt(key, claims(server.issuer, { scope: 'partner:read', cnf: { 'x5t#S256': certificateThumbprint(pem) } }));
    expect((await outcome(authorize(bearer(token, { ...partner, clientCertPem: pem })))).status).toBe(200);
  });

  test('an unbound token is forbidden on a partner route even with a certificate', async () => {
    const { authorize } = setup();
    const token = signJwt(key, claims(server.issuer, { scope: 'partner:read' }));
    expect((await outcome(authorize(bearer(token, { ...partner, clientCertPem: pem })))).status).toBe(403);
  });

  test('a bound token with another certificate, or none, is refused (401)', async () => {
    const { log, authorize } = setup();
    const token = signJwt(key, claims(server.issuer, { scope: 'partner:read', cnf: { 'x5t#S256': certificateThumbprint(pem) } }));
    const other = pem.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await outcome(authorize(bearer(token, { ...partner, clientCertPem: other })))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.CERTIFICATE_MISMATCH);
    expect((await outcome(authorize(bearer(token, partner)))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.CERTIFICATE_REQUIRED);
  });
});

test('the context built attribute by attribute carries what each policy reads, path parameters included', async () => {
  const policies = (issuer: string): string => `permit (principal, action, resource) when {
    context.params.id == "7" && !(context.params has tenantId) && context.time > 1700000000 && context.hourUtc >= 0 && context.dayOfWeekUtc <= 6 &&
    context.issuer == "${issuer}" && context.subject == "user-1" && context.clientId == "client-1" && context.scopes.contains("orders:read") &&
    context.amr == ["pwd"] && !context.mfa && context.sourceIp == "203.0.113.7" && !context.mtls && !context.certificateBound &&
    context.route == "GET /orders/{id}" && context.authMethod == "jwt" && context.tenant == "acme" && context.groups == ["g"] && context.roles == []
  };`;
  const log = new LogCapture();
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { policies: policies(server.issuer) }), { log: log.sink });
  const token = signJwt(key, claims(server.issuer, { amr: ['pwd'], groups: ['g'] }));
  expect((await outcome(authorize(bearer(token, { pathParameters: { id: '7' } })))).status).toBe(200);
  expect((await outcome(authorize(bearer(token, { pathParameters: { id: '8' } })))).status).toBe(403);
  expect(log.last.Reason).toBe(Reason.POLICY_DENY);
  expect((await outcome(authorize(bearer(token, { pathParameters: { id: '7', tenantId: 'acme' } })))).status).toBe(403);
});
