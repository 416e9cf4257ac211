import { randomBytes } from 'node:crypto';
import { baseConfig, bearer, claims, event, JwksServer, LogCapture, METHOD_ARN, now, outcome, rsaKey, signJwt, TestKey } from './helpers';
import { Authorizer, AuthorizerEvent, createAuthorizer, hashApiKey, MemoryAuthorizerStore, Reason } from '../../lib/authorizer';

const server = new JwksServer();
let key: TestKey;
beforeAll(async () => {
  await server.start();
  key = rsaKey('k1');
  server.keys = [key.publicJwk];
});
afterAll(() => server.stop());

function setup(extra = {}, clock?: () => number) {
  const log = new LogCapture();
  const store = new MemoryAuthorizerStore();
  store.tenants.set('acme', { tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
  store.tenants.set('globex', { tenantId: 'globex', disabled: false, meteringKey: 'meter-globex' });
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: {}, tenants: {}, ...extra }), {
    log: log.sink, clock, stores: { revocations: store, tenants: store },
  });
  return { log, store, authorize };
}

describe('the allow', () => {
  test('carries the caller in string-only context, the metering key, and a policy for this methodArn only', async () => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { scope: 'orders:read orders:write' })))));
    expect(o.status).toBe(200);
    if (o.status !== 200) return;
    expect(o.result).toEqual({
      principalId: `${server.issuer}#user-1`,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { principalId: `${server.issuer}#user-1`, tenantId: 'acme', scopes: 'orders:read orders:write', clientId: 'client-1', authMethod: 'jwt' },
      usageIdentifierKey: 'meter-acme',
    });
    for (const v of Object.values(o.result.context!)) expect(typeof v).toBe('string');
  });

  test('the tenant comes from the token; a client-sent tenant header is ignored', async () => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { tenant_id: 'acme' })), {
      headers: { 'X-Tenant-Id': 'globex', 'tenant_id': 'globex' },
    })));
    expect(o.status === 200 && o.result.context?.tenantId).toBe('acme');
    expect(o.status === 200 && o.result.usageIdentifierKey).toBe('meter-acme');
  });

  test('scp (array) is accepted as the scope claim', async () => {
    const c = claims(server.issuer, { scope: undefined, scp: ['orders:read'] });
    delete c.scope;
    const { authorize } = setup();
    expect((await outcome(authorize(bearer(signJwt(key, c))))).status).toBe(200);
  });

  test.each([
    ['canonical', 'orders:read orders:write', 'orders:read orders:write'],
    ['extra spaces', '  orders:read   orders:write ', 'orders:read orders:write'],
    ['one scope', 'orders:read', 'orders:read'],
  ])('the context carries the scopes single-spaced whatever the claim spacing (%s)', async (_name, scope, expected) => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { scope })))));
    expect(o.status === 200 && o.result.context?.scopes).toBe(expected);
  });

  test('scp (array) scopes reach the context space-separated', async () => {
    const c = claims(server.issuer, { scp: ['orders:read', '', 'orders:write'] });
    delete c.scope;
    const o = await outcome(setup().authorize(bearer(signJwt(key, c))));
    expect(o.status === 200 && o.result.context?.scopes).toBe('orders:read orders:write');
  });

  test('ANY routes match every method', async () => {
    const { authorize } = setup({ routes: { 'ANY /things/{id}': {} } });
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)), { method: 'PATCH', resource: '/things/{id}' })))).status).toBe(200);
  });

  test('a method route of its own beside ANY keeps its own scopes; ANY answers the other methods', async () => {
    const { log, authorize } = setup({ routes: { 'ANY /things/{id}': {}, 'DELETE /things/{id}': { scopes: ['things:admin'] } } });
    const token = signJwt(key, claims(server.issuer, { scope: 'orders:read' }));
    expect(await outcome(authorize(bearer(token, { method: 'DELETE', resource: '/things/{id}' })))).toMatchObject({ status: 403 });
    expect(log.last).toMatchObject({ Reason: Reason.INSUFFICIENT_SCOPE, route: 'DELETE /things/{id}', detail: 'things:admin' });
    expect((await outcome(authorize(bearer(token, { method: 'PUT', resource: '/things/{id}' })))).status).toBe(200);
    expect(log.last).toMatchObject({ Reason: Reason.ALLOWED, route: 'PUT /things/{id}' });
  });

  test('an ANY route answers only the methods API Gateway sends: any other method string is an unlisted route', async () => {
    const { log, authorize } = setup({ routes: { 'ANY /things/{id}': {} } });
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer)), { method: 'TRACE', resource: '/things/{id}' })));
    expect(o.status).toBe(403);
    expect(log.last).toMatchObject({ Reason: Reason.ROUTE_NOT_LISTED, route: 'TRACE /things/{id}' });
  });

  test('route matching does not depend on the number of routes: the 1,000th route of 1,000 matches with its own scopes', async () => {
    const routes = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`GET /r${i}/{id}`, { scopes: [`r${i}:read`] }]));
    const { log, authorize } = setup({ routes });
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { scope: 'r999:read' })), { method: 'GET', resource: '/r999/{id}' })));
    expect(o.status).toBe(200);
    expect(log.last).toMatchObject({ route: 'GET /r999/{id}' });
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { scope: 'r998:read' })), { method: 'GET', resource: '/r999/{id}' })))).status).toBe(403);
  });
});

describe('routes and scopes', () => {
  test('an unlisted route is denied (403) before any token work', async () => {
    const { log, authorize } = setup();
    const before = server.requests;
    const o = await outcome(authorize(bearer('not-even-a-token', { method: 'DELETE', resource: '/admin' })));
    expect(o.status).toBe(403);
    expect(log.last).toMatchObject({ Reason: Reason.ROUTE_NOT_LISTED, route: 'DELETE /admin', status: 403 });
    expect(server.requests).toBe(before);
  });

  test('a missing scope is a 403 with the Deny policy', async () => {
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer)), { method: 'POST', resource: '/orders' })));
    expect(o).toMatchObject({ status: 403, result: { policyDocument: { Statement: [{ Effect: 'Deny', Resource: METHOD_ARN }] } } });
    expect(log.last).toMatchObject({ Reason: Reason.INSUFFICIENT_SCOPE, detail: 'orders:write' });
  });

  test('no credentials is a 401', async () => {
    const { log, authorize } = setup();
    expect(await outcome(authorize(event()))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.NO_CREDENTIALS);
  });

  test('a bearer token and an API key together are refused as ambiguous', async () => {
    const log = new LogCapture();
    const stores = { apiKeys: new MemoryAuthorizerStore() };
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { apiKeys: {} }), { log: log.sink, stores });
    const ev = bearer(signJwt(key, claims(server.issuer)), { headers: { 'x-api-key': 'some-key-value-12345' } });
    expect(await outcome(authorize(ev))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.AMBIGUOUS_CREDENTIALS);
  });
});

describe('API keys in the Authorization header and Cognito scope prefixes', () => {
  function keyed() {
    const log = new LogCapture();
    const store = new MemoryAuthorizerStore();
    const apiKey = randomBytes(24).toString('base64url');
    store.apiKeys.set(hashApiKey(apiKey), { keyId: 'k-1', tenantId: 'acme', scopes: ['orders:read'] });
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { apiKeys: {} }), { log: log.sink, stores: { apiKeys: store } });
    return { log, apiKey, authorize };
  }

  test('`Authorization: ApiKey <key>` is an API key (so a gateway cache keyed on Authorization serves key clients)', async () => {
    const { apiKey, authorize } = keyed();
    const o = await outcome(authorize(event({ headers: { Authorization: `ApiKey ${apiKey}` } })));
    expect(o.status === 200 && o.result.context).toMatchObject({ tenantId: 'acme', authMethod: 'apiKey' });
    // The same key may also be sent in the key header, e.g. for the WAF's per-key rate limit.
    expect((await outcome(authorize(event({ headers: { 'Authorization': `ApiKey ${apiKey}`, 'x-api-key': apiKey } })))).status).toBe(200);
  });

  test('two different keys are refused as ambiguous', async () => {
    const { log, apiKey, authorize } = keyed();
    expect(await outcome(authorize(event({ headers: { 'Authorization': `ApiKey ${apiKey}`, 'x-api-key': 'another-key-value-123456' } })))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.AMBIGUOUS_CREDENTIALS);
  });

  test('scopePrefixes strips the resource-server identifier Cognito puts before scopes, and only a listed one', async () => {
    const config = baseConfig(server.issuer, server.uri);
    const withPrefix = createAuthorizer({ ...config, issuers: [{ ...config.issuers[0], scopePrefixes: ['orders'] }] }, { log: new LogCapture().sink });
    const stripped = await outcome(withPrefix(bearer(signJwt(key, claims(server.issuer, { scope: 'orders/orders:read orders/orders:write' })))));
    expect(stripped.status === 200 && stripped.result.context?.scopes).toBe('orders:read orders:write');
    expect((await outcome(withPrefix(bearer(signJwt(key, claims(server.issuer, { scope: 'billing/orders:read' })))))).status).toBe(403);
    const without = createAuthorizer(config, { log: new LogCapture().sink });
    expect((await outcome(without(bearer(signJwt(key, claims(server.issuer, { scope: 'orders/orders:read' })))))).status).toBe(403);
  });
});

describe('revocation and tenant caches', () => {
  test('revocation answers are cached briefly; a revoked token stays revoked until it expires', async () => {
    let t = 0;
    const { store, authorize } = setup({}, () => t);
    const token = signJwt(key, claims(server.issuer, { jti: 'j-1' }));
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);
    expect(store.calls.getRevocationStatus).toBe(1);
    expect(store.calls.getTenant).toBe(1);
    store.revokedJtis.add('j-1');
    t = 31_000; // after revocation.cacheSeconds
    expect(await outcome(authorize(bearer(token)))).toEqual({ status: 401 });
    store.revokedJtis.delete('j-1');
    t = 62_000;
    expect(await outcome(authorize(bearer(token)))).toEqual({ status: 401 });
    expect(store.calls.getRevocationStatus).toBe(2);
  });

  test('tokens without jti are refused while revocation is on (unless the issuer opts out)', async () => {
    const c = claims(server.issuer);
    delete c.jti;
    const { log, authorize } = setup();
    expect(await outcome(authorize(bearer(signJwt(key, c))))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.MISSING_JTI);
    const optOut = setup({ issuers: [{ issuer: server.issuer, jwksUri: server.uri, audience: ['urn:api:orders'], requireJti: false }] });
    expect((await outcome(optOut.authorize(bearer(signJwt(key, c))))).status).toBe(200);
  });

  test('a store that throws fails closed', async () => {
    const log = new LogCapture();
    const failing = { getRevocationStatus: async () => { throw new Error('boom'); } };
    const stores = { revocations: failing };
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: {} }), { log: log.sink, stores });
    expect(await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
    expect(log.last).toMatchObject({ Reason: Reason.REVOCATION_UNAVAILABLE, detail: 'boom' });
  });
});

describe('revocation: the store is the fresher word for a first-seen jti', () => {
  const iat = now() - 60;
  const token = (jti: string): string => signJwt(key, claims(server.issuer, { jti, iat, exp: iat + 3600 }));

  test('a subject revocation lifted in the store clears the next first-seen token at once, not after the cache time', async () => {
    const t = 0;
    const { log, store, authorize } = setup({}, () => t);
    store.revokeSubject(server.issuer, 'user-1', iat + 1);
    expect((await outcome(authorize(bearer(token('j-a'))))).status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.REVOKED, detail: 'subject' });
    store.revokedSubjects.clear();
    // Same instant: the subject's cached answer has not expired, but a new jti asks the store, which answers for both.
    expect((await outcome(authorize(bearer(token('j-b'))))).status).toBe(200);
    expect(store.calls.getRevocationStatus).toBe(2);
  });

  test('a subject revocation learned through one token denies the cached tokens of the subject at once; lifted, it clears them again', async () => {
    let t = 0;
    const { log, store, authorize } = setup({}, () => t);
    const cached = token('j-old');
    expect((await outcome(authorize(bearer(cached)))).status).toBe(200);
    // Revoked after the cached token's jti was cleared; the next new token of the subject learns it from the store.
    store.revokeSubject(server.issuer, 'user-1', iat + 1);
    t = 1_000;
    expect((await outcome(authorize(bearer(token('j-new'))))).status).toBe(401);
    expect((await outcome(authorize(bearer(cached)))).status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.REVOKED, detail: 'subject' });
    const asked = store.calls.getRevocationStatus;
    store.revokedSubjects.clear();
    expect((await outcome(authorize(bearer(token('j-next'))))).status).toBe(200);
    // The lifted revocation is no longer held against the cached token, and its cleared jti needs no store call.
    expect((await outcome(authorize(bearer(cached)))).status).toBe(200);
    expect(store.calls.getRevocationStatus).toBe(asked + 1);
  });

  test('the store answer for a token without a jti is cached for its subject', async () => {
    const noJti = claims(server.issuer, { iat, exp: iat + 3600 });
    delete noJti.jti;
    const optOut = { issuers: [{ issuer: server.issuer, jwksUri: server.uri, audience: ['urn:api:orders'], requireJti: false }] };
    const { store, authorize } = setup(optOut, () => 0);
    const plain = signJwt(key, noJti);
    expect((await outcome(authorize(bearer(plain)))).status).toBe(200);
    expect((await outcome(authorize(bearer(plain)))).status).toBe(200);
    expect(store.calls.getRevocationStatus).toBe(1);
    // Revoked in the store after the answer was cached: the cache answers until it expires, as it does for a jti.
    store.revokeSubject(server.issuer, 'user-1', iat + 1);
    expect((await outcome(authorize(bearer(plain)))).status).toBe(200);
    expect(store.calls.getRevocationStatus).toBe(1);
  });

  test('a subject revocation the cache holds still denies a first-seen token when the store cannot answer, even failing open', async () => {
    let t = 0;
    let down = false;
    const store = new MemoryAuthorizerStore();
    store.tenants.set('acme', { tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    const flaky = Object.assign(store, {
      getRevocationStatus: (q: Parameters<MemoryAuthorizerStore['getRevocationStatus']>[0]) => {
        if (down) throw new Error('store down');
        return MemoryAuthorizerStore.prototype.getRevocationStatus.call(store, q);
      },
    });
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: { failOpen: true }, tenants: {} }), {
      log: log.sink, clock: () => t, stores: { revocations: flaky, tenants: store },
    });
    store.revokeSubject(server.issuer, 'user-1', iat + 1);
    expect((await outcome(authorize(bearer(token('j-c'))))).status).toBe(401);
    down = true;
    t = 1_000;
    expect((await outcome(authorize(bearer(token('j-d'))))).status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.REVOKED, detail: 'subject' });
    // A subject the cache knows nothing against: failing open lets it through, logged degraded.
    const other = signJwt(key, claims(server.issuer, { sub: 'user-2', jti: 'j-e' }));
    expect((await outcome(authorize(bearer(other)))).status).toBe(200);
    expect(log.last).toMatchObject({ degraded: 'revocation_unchecked' });
  });
});

describe('observability', () => {
  test('one JSON line per decision: EMF metrics by Decision and Reason, no token, no raw subject', async () => {
    const { log, authorize } = setup();
    const token = signJwt(key, claims(server.issuer, { sub: 'alice@example.com' }));
    await outcome(authorize(bearer(token)));
    await outcome(authorize(bearer(token, { method: 'POST', resource: '/orders' })));
    expect(log.decisions).toHaveLength(2);
    const [allow, deny] = log.decisions;
    expect(allow).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'SecureApiPlatform/Authorizer', Dimensions: [['Decision', 'Reason'], ['Decision']], Metrics: [{ Name: 'Decisions', Unit: 'Count' }, { Name: 'DecisionLatency', Unit: 'Milliseconds' }] }] },
      level: 'INFO',
      Decision: 'allow',
      Reason: 'allowed',
      Decisions: 1,
      status: 200,
      route: 'GET /orders/{id}',
      issuer: server.issuer,
      kid: 'k1',
      tenant: 'acme',
      authMethod: 'jwt',
    });
    expect(typeof (allow._aws as { Timestamp: number }).Timestamp).toBe('number');
    expect(typeof allow.DecisionLatency).toBe('number');
    expect(typeof allow.requestId).toBe('string');
    expect(allow.principal).toMatch(/^[0-9a-f]{16}$/);
    expect(deny).toMatchObject({ level: 'WARN', Decision: 'deny', Reason: 'insufficient_scope', status: 403 });
    const all = log.raw.join('\n');
    for (const part of token.split('.')) expect(all).not.toContain(part);
    expect(all).not.toContain('alice@example.com');
  });
});

describe('never a 500, never a hang', () => {
  const garbage: unknown[] = [
    undefined, null, 42, 'event', [], {}, { methodArn: 42 }, { methodArn: METHOD_ARN, headers: 'x' },
    { methodArn: METHOD_ARN, httpMethod: 'GET', resource: '/orders/{id}', headers: { Authorization: 42 } },
    { methodArn: METHOD_ARN, httpMethod: 'GET', resource: '/orders/{id}', headers: null, multiValueHeaders: { authorization: 'Bearer x' } },
    { methodArn: METHOD_ARN, httpMethod: 'GET', resource: '/orders/{id}', headers: { authorization: 'Bearer a.b.c' }, requestContext: { requestId: { toString: null } } },
    { methodArn: METHOD_ARN, httpMethod: 'GET', resource: '/orders/{id}', headers: Object.create(null) as unknown },
  ];

  test.each(garbage.map((g, i) => [i, g]))('malformed event #%s is a 401 or 403', async (_i, g) => {
    const { authorize } = setup();
    const o = await outcome(authorize(g as AuthorizerEvent));
    expect([401, 403]).toContain(o.status);
  });

  test('random tokens (fuzz) are all 401', async () => {
    const { log, authorize } = setup();
    const pieces = [() => randomBytes(20).toString('base64url'), () => Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url'), () => '', () => '=='];
    for (let i = 0; i < 200; i++) {
      const pick = () => pieces[Math.floor(Math.random() * pieces.length)]();
      const token = [pick(), pick(), pick()].join('.');
      expect(await outcome(authorize(bearer(token)))).toEqual({ status: 401 });
    }
    expect(log.decisions.every((d) => d.status === 401)).toBe(true);
  });

  test('an exploding store or log sink still yields a clean 401/allow', async () => {
    const throwingStore = { getRevocationStatus: () => { throw new TypeError('sync throw'); } };
    const authorize: Authorizer = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: {} }), {
      log: () => { throw new Error('sink down'); }, stores: { revocations: throwingStore as never },
    });
    expect(await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
    const noRevocation = createAuthorizer(baseConfig(server.issuer, server.uri), { log: () => { throw new Error('sink down'); } });
    expect((await outcome(noRevocation(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  });
});

describe('handler (AUTHORIZER_CONFIG, once per cold start)', () => {
  const saved = process.env.AUTHORIZER_CONFIG;
  afterEach(() => {
    process.env.AUTHORIZER_CONFIG = saved;
    jest.resetModules();
  });

  async function loadHandler(config: string | undefined) {
    if (config === undefined) delete process.env.AUTHORIZER_CONFIG;
    else process.env.AUTHORIZER_CONFIG = config;
    jest.resetModules();
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../../lib/authorizer') as typeof import('../../lib/authorizer');
    return { handler: mod.handler, lines, restore: () => write.mockRestore() };
  }

  test('a valid configuration serves decisions', async () => {
    const { handler, lines, restore } = await loadHandler(JSON.stringify(baseConfig(server.issuer, server.uri)));
    try {
      expect((await outcome(handler(bearer(signJwt(key, claims(server.issuer))))).then((o) => o.status))).toBe(200);
      expect(lines.some((l) => l.includes('"Decision":"allow"'))).toBe(true);
    } finally {
      restore();
    }
  });

  test.each([
    ['missing', undefined, /AUTHORIZER_CONFIG is not set/],
    ['not JSON', '{nope', /JSON/],
    ['invalid', JSON.stringify({ issuers: [], routes: {} }), /AuthorizerConfig\.issuers/],
  ])('a %s configuration denies every request (401, config_error), never a 500', async (_n, config, detail) => {
    const { handler, lines, restore } = await loadHandler(config);
    try {
      expect(await outcome(handler(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
      const line = JSON.parse(lines.find((l) => l.includes('config_error'))!) as { Reason: string; detail: string; level: string };
      expect(line).toMatchObject({ Reason: 'config_error', level: 'ERROR' });
      expect(line.detail).toMatch(detail);
    } finally {
      restore();
    }
  });
});

test('times are checked against the wall clock, not the cache clock', async () => {
  const { authorize } = setup({}, () => 1e12);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { exp: now() + 100 })))))).status).toBe(200);
});
