// Identity seams in the runtime: each API accepts its own scope prefix only, principals are issuer-qualified, issuers
// are bound to the tenants they may assert, MFA is what the issuer asserts (never any two `amr` values), a key rotated
// in right after a JWKS fetch is found at once, and a key-only header is ignored where the gateway would never pass it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { baseConfig, bearer, claims, event, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey } from './helpers';
import { createAuthorizer, MemoryAuthorizerStore, Reason } from '../../lib/authorizer';
import { apiKeyPrincipal, jwtPrincipal, MFA_CLAIM } from '../../lib/spec/contracts/identity';

const a = new JwksServer();
const b = new JwksServer();
let keyA: TestKey;
let keyB: TestKey;

beforeAll(async () => {
  await Promise.all([a.start(), b.start()]);
  keyA = rsaKey('ka');
  keyB = rsaKey('kb');
  a.keys = [keyA.publicJwk];
  b.keys = [keyB.publicJwk];
});
afterAll(() => Promise.all([a.stop(), b.stop()]));

const STEP_UP = readFileSync(path.join(__dirname, '..', '..', 'examples', 'policies', 'step-up.cedar'), 'utf8');

describe('scopes: an API accepts its own resource-server prefix only', () => {
  const config = () => baseConfig(a.issuer, a.uri, {
    issuers: [{ issuer: a.issuer, jwksUri: a.uri, audience: ['urn:api:orders'], scopePrefixes: ['orders'] }],
    routes: { 'GET /orders/{id}': { scopes: ['admin'] } },
  });

  test.each([
    ['billing/admin', 403],
    ['admin', 403],
    ['orders/admin', 200],
    ['billing/admin orders/admin', 200],
    ['orders/', 403],
  ])('scope %j → %d', async (scope, status) => {
    const log = new LogCapture();
    const authorize = createAuthorizer(config(), { log: log.sink });
    const o = await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { scope })))));
    expect(o.status).toBe(status);
    if (status === 403) expect(log.last.Reason).toBe(Reason.INSUFFICIENT_SCOPE);
  });

  test('the granted scopes passed to the backend are the API\'s own, without the prefix', async () => {
    const authorize = createAuthorizer(config());
    const o = await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { scope: 'openid billing/admin orders/admin' })))));
    expect(o.status === 200 && o.result.context?.scopes).toBe('admin');
  });
});

describe('principals are issuer-qualified', () => {
  const twoIssuers = () => baseConfig(a.issuer, a.uri, {
    issuers: [
      { issuer: a.issuer, jwksUri: a.uri, audience: ['urn:api:orders'] },
      { issuer: b.issuer, jwksUri: b.uri, audience: ['urn:api:orders'] },
    ],
  });

  test('equal subjects of two issuers are two principals', async () => {
    const authorize = createAuthorizer(twoIssuers());
    const fromA = await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { sub: 'same' })))));
    const fromB = await outcome(authorize(bearer(signJwt(keyB, claims(b.issuer, { sub: 'same' })))));
    if (fromA.status !== 200 || fromB.status !== 200) throw new Error(`expected two allows, got ${fromA.status} and ${fromB.status}`);
    expect(fromA.result.principalId).toBe(jwtPrincipal(a.issuer, 'same'));
    expect(fromB.result.principalId).toBe(jwtPrincipal(b.issuer, 'same'));
    expect(fromA.result.principalId).not.toBe(fromB.result.principalId);
    expect(fromA.result.context?.principalId).toBe(fromA.result.principalId);
  });

  test('a JWT whose sub is `apikey:…` is not an API-key principal', async () => {
    const authorize = createAuthorizer(twoIssuers());
    const o = await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { sub: apiKeyPrincipal('k1') })))));
    if (o.status !== 200) throw new Error(`expected an allow, got ${o.status}`);
    expect(o.result.principalId).not.toBe(apiKeyPrincipal('k1'));
    expect(o.result.principalId.startsWith(`${a.issuer}#`)).toBe(true);
    expect(o.result.context?.authMethod).toBe('jwt');
  });

  test('an issuer bound to tenants cannot assert another tenant', async () => {
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(a.issuer, a.uri, {
      issuers: [
        { issuer: a.issuer, jwksUri: a.uri, audience: ['urn:api:orders'], tenants: ['acme'] },
        { issuer: b.issuer, jwksUri: b.uri, audience: ['urn:api:orders'], tenants: ['globex'] },
      ],
    }), { log: log.sink });
    expect((await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { tenant_id: 'acme' })))))).status).toBe(200);
    expect(await outcome(authorize(bearer(signJwt(keyA, claims(a.issuer, { tenant_id: 'globex' })))))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.INVALID_TENANT);
    expect((await outcome(authorize(bearer(signJwt(keyB, claims(b.issuer, { tenant_id: 'globex' })))))).status).toBe(200);
  });
});

describe('MFA reaches the policies as the issuer asserts it', () => {
  const post = (token: string) => bearer(token, { method: 'POST', resource: '/orders', path: '/orders', pathParameters: {} });
  const withPolicy = (mfaClaim?: string) => createAuthorizer(baseConfig(a.issuer, a.uri, {
    issuers: [{ issuer: a.issuer, jwksUri: a.uri, audience: ['urn:api:orders'], ...(mfaClaim ? { mfaClaim } : {}) }],
    routes: { 'POST /orders': { scopes: ['orders:write'] } },
    policies: `permit (principal, action, resource);\n${STEP_UP}`,
  }));
  const write = { scope: 'orders:write', client_id: undefined, sourceIp: undefined };

  test.each([
    [['pwd', 'kba'], 403],
    [['pwd', 'otp'], 403],
    [['pwd', 'mfa'], 200],
    [[], 403],
  ])('amr %j → %d (RFC 8176: only "mfa" means MFA)', async (amr, status) => {
    const o = await outcome(withPolicy()(post(signJwt(keyA, claims(a.issuer, { ...write, amr })))));
    expect(o.status).toBe(status);
  });

  test('with the platform claim, only `true` counts, and amr is not read', async () => {
    const authorize = withPolicy(MFA_CLAIM);
    expect((await outcome(authorize(post(signJwt(keyA, claims(a.issuer, { ...write, [MFA_CLAIM]: true })))))).status).toBe(200);
    expect((await outcome(authorize(post(signJwt(keyA, claims(a.issuer, { ...write, [MFA_CLAIM]: 'true' })))))).status).toBe(403);
    expect((await outcome(authorize(post(signJwt(keyA, claims(a.issuer, { ...write, amr: ['mfa'] })))))).status).toBe(403);
  });
});

describe('JWKS rotation', () => {
  test('a key rotated in right after a fetch is found by one refetch; forged kids still cause one fetch per window', async () => {
    const server = new JwksServer();
    await server.start();
    try {
      const first = rsaKey('r1');
      server.keys = [first.publicJwk];
      let t = 0;
      const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { clock: () => t });
      expect(await outcome(authorize(bearer(signJwt(first, claims(server.issuer)))))).toMatchObject({ status: 200 });
      const rotated = rsaKey('r2');
      server.keys = [first.publicJwk, rotated.publicJwk];
      t = 5;
      expect(await outcome(authorize(bearer(signJwt(rotated, claims(server.issuer)))))).toMatchObject({ status: 200 });

      // The rotation's refetch (t = 5) opened the window: forged kids inside it fetch nothing.
      const before = server.requests;
      for (let i = 0; i < 50; i++) {
        t = 10 + i;
        expect(await outcome(authorize(bearer(signJwt({ ...first, kid: `forged-${i}` }, claims(server.issuer)))))).toEqual({ status: 401 });
      }
      expect(server.requests - before).toBe(0);
      // After the window, one refetch for the first unknown kid, none for the rest of the new window.
      t = 10_005;
      for (let i = 0; i < 50; i++) await outcome(authorize(bearer(signJwt({ ...first, kid: `again-${i}` }, claims(server.issuer)))));
      expect(server.requests - before).toBe(1);
      t = 20_005;
      await outcome(authorize(bearer(signJwt({ ...first, kid: 'later' }, claims(server.issuer)))));
      expect(server.requests - before).toBe(2);
    } finally {
      await server.stop();
    }
  });
});

describe('API keys', () => {
  const KEY = 'k'.repeat(43);
  async function keyAuthorizer(header: string | null | undefined) {
    const store = new MemoryAuthorizerStore();
    store.putApiKey(KEY, { keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'] });
    return createAuthorizer(baseConfig(a.issuer, a.uri, { apiKeys: header === undefined ? {} : { header } }), {
      stores: { apiKeys: store, revocations: store, tenants: store },
    });
  }

  test('`Authorization: ApiKey <key>` is always accepted; with header null a separate key header is not read', async () => {
    const only = await keyAuthorizer(null);
    expect((await outcome(only(event({ headers: { Authorization: `ApiKey ${KEY}` } })))).status).toBe(200);
    expect(await outcome(only(event({ headers: { 'x-api-key': KEY } })))).toEqual({ status: 401 });
    const both = await keyAuthorizer(undefined);
    expect((await outcome(both(event({ headers: { 'x-api-key': KEY } })))).status).toBe(200);
  });

  test('the API-key principal is `apikey:<keyId>`', async () => {
    const o = await outcome((await keyAuthorizer(null))(event({ headers: { Authorization: `ApiKey ${KEY}` } })));
    expect(o.status === 200 && o.result.principalId).toBe(apiKeyPrincipal('key-1'));
  });
});
