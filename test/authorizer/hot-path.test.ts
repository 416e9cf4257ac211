// The hot path's shortcuts (sync decisions on cache hits, remembered headers, hand-built log lines, the Bearer scan)
// must not change any answer: same decisions, same reasons, valid JSON.
import { sign } from 'node:crypto';
import {
  b64url, baseConfig, bearer, claims, ecKey, event, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey,
} from './helpers';
import { createAuthorizer, fetchJwksBody, MemoryAuthorizerStore, Reason, validateAuthorizerConfig } from '../../lib/authorizer';
import { bearerToken } from '../../lib/authorizer/credentials';
import { JwtAuthenticator } from '../../lib/authorizer/jwt';
import { rng } from './cedar-grammar';
import { DecisionLog, jsonString, millisText } from '../../lib/authorizer/observability';

const server = new JwksServer();
let key: TestKey;
let other: TestKey;
beforeAll(async () => {
  await server.start();
  key = rsaKey('hot-1');
  other = rsaKey('hot-1');
  server.keys = [key.publicJwk];
});
afterAll(() => server.stop());

describe('Bearer scheme', () => {
  test.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['Bearer a.b.c', 'a.b.c'],
  ])('%j gives the token', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  test.each(['Bearer', 'Bearer ', 'Bearer    ', 'Bearerabc', 'Basic abc', ' Bearer abc', 'Bearer\tabc', 'Bear abc'])('%j gives no token', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  test('the scheme is matched as `toLowerCase` would match it, for every character of the BMP in each of its six places', () => {
    const differences: string[] = [];
    for (let place = 0; place < 6; place++) {
      for (let code = 0; code <= 0xffff; code++) {
        const header = `${'Bearer'.slice(0, place)}${String.fromCharCode(code)}${'Bearer'.slice(place + 1)} abc`;
        const expected = header.slice(0, 6).toLowerCase() === 'bearer' ? 'abc' : undefined;
        if (bearerToken(header) !== expected) differences.push(`${place}: U+${code.toString(16)}`);
      }
    }
    expect(differences).toEqual([]);
  });

  test('a non-string header value gives no token', () => {
    expect(bearerToken(42 as unknown as string)).toBeUndefined();
  });

  test.each([
    ['a space', ' '], ['a tab', '\t'], ['a newline', '\n'], ['a no-break space', '\u00a0'], ['a line separator', '\u2028'],
  ])('whitespace (%s) inside the token is refused by the JWT parser', async (_name, ws) => {
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { log: log.sink });
    const token = signJwt(key, claims(server.issuer));
    const at = token.length - 10;
    const o = await outcome(authorize(bearer(`${token.slice(0, at)}${ws}${token.slice(at)}`)));
    expect(o.status).toBe(401);
    expect(log.last.Reason).toBe(Reason.MALFORMED_TOKEN);
  });
});

describe('synchronous decisions on cache hits', () => {
  test('once the JWKS, revocation and tenant answers are cached, the decision is made before the first await', async () => {
    const log = new LogCapture();
    const store = new MemoryAuthorizerStore();
    store.tenants.set('acme', { tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: {}, tenants: {} }), {
      log: log.sink, stores: { revocations: store, tenants: store },
    });
    const token = signJwt(key, claims(server.issuer));
    // First request: JWKS, revocation and tenant lookups are asynchronous; nothing is logged synchronously.
    const first = authorize(bearer(token));
    expect(log.decisions).toHaveLength(0);
    expect((await outcome(first)).status).toBe(200);
    // Second request with the same answers cached: decided (and logged) synchronously, still a promise to the caller.
    const second = authorize(bearer(token));
    expect(log.decisions).toHaveLength(2);
    expect(second).toBeInstanceOf(Promise);
    expect(await outcome(second)).toMatchObject({ status: 200, result: { usageIdentifierKey: 'meter-acme' } });
    expect(store.calls).toEqual({ getApiKey: 0, getRevocationStatus: 1, getTenant: 1 });
  });

  test('in-process stores answer a first-seen token synchronously: the store lookups add no promise step', async () => {
    const log = new LogCapture();
    const store = new MemoryAuthorizerStore();
    store.tenants.set('acme', { tenantId: 'acme', disabled: false });
    store.tenants.set('beta', { tenantId: 'beta', disabled: false });
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { revocation: {}, tenants: {} }), {
      log: log.sink, stores: { revocations: store, tenants: store },
    });
    // The JWKS fetch is the only asynchronous step of the first request.
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
    // A token never seen (its jti, subject and tenant all miss the caches): each store is asked, and the decision is
    // logged before the first await.
    const fresh = authorize(bearer(signJwt(key, claims(server.issuer, { sub: 'user-2', tenant_id: 'beta' }))));
    expect(log.decisions).toHaveLength(2);
    expect(log.last).toMatchObject({ Decision: 'allow', tenant: 'beta' });
    expect(store.calls).toEqual({ getApiKey: 0, getRevocationStatus: 2, getTenant: 2 });
    expect((await outcome(fresh)).status).toBe(200);
    // A revoked first-seen token is refused just as synchronously.
    store.revokedJtis.add('j-revoked');
    const revoked = authorize(bearer(signJwt(key, claims(server.issuer, { jti: 'j-revoked' }))));
    expect(log.last.Reason).toBe(Reason.REVOKED);
    expect(await outcome(revoked)).toEqual({ status: 401 });
  });

  test.each([
    ['revocation', { revocation: {} }, 'getRevocationStatus', Reason.REVOCATION_UNAVAILABLE],
    ['tenant', { tenants: {} }, 'getTenant', Reason.TENANT_STORE_UNAVAILABLE],
  ] as const)('an in-process %s store that throws synchronously fails closed with a generic 401', async (_n, extra, method, reason) => {
    const log = new LogCapture();
    const store = Object.assign(new MemoryAuthorizerStore(), { [method]: () => { throw new Error('store down'); } });
    const stores = { revocations: store, tenants: store };
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, extra), { log: log.sink, stores });
    expect(await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
    expect(log.last).toMatchObject({ Reason: reason, detail: 'store down' });
  });

  test('an in-process revocation store that throws lets the token through, logged degraded, only when revocation fails open', async () => {
    const log = new LogCapture();
    const store = Object.assign(new MemoryAuthorizerStore(), { getRevocationStatus: () => { throw new Error('store down'); } });
    const config = baseConfig(server.issuer, server.uri, { revocation: { failOpen: true } });
    const authorize = createAuthorizer(config, { log: log.sink, stores: { revocations: store } });
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
    expect(log.last).toMatchObject({ Decision: 'allow', degraded: 'revocation_unchecked' });
  });

  test('an in-process API key store that throws synchronously fails closed with a generic 401', async () => {
    const log = new LogCapture();
    const store = Object.assign(new MemoryAuthorizerStore(), { getApiKey: () => { throw new Error('store down'); } });
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { apiKeys: {} }), { log: log.sink, stores: { apiKeys: store } });
    expect(await outcome(authorize(event({ headers: { 'x-api-key': 'k'.repeat(40) } })))).toEqual({ status: 401 });
    expect(log.last).toMatchObject({ Reason: Reason.KEY_STORE_UNAVAILABLE, detail: 'store down' });
  });

  test('a cached denial is also synchronous, and still rejects with Unauthorized', async () => {
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { log: log.sink });
    await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))));
    const denied = authorize(bearer(signJwt(key, claims(server.issuer, { exp: 1 }))));
    expect(log.last.Reason).toBe(Reason.EXPIRED);
    await expect(denied).rejects.toThrow('Unauthorized');
  });

  test('an API key with a cached record is decided synchronously', async () => {
    const log = new LogCapture();
    const store = new MemoryAuthorizerStore();
    store.putApiKey('k'.repeat(40), { keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'] });
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { apiKeys: {} }), { log: log.sink, stores: { apiKeys: store } });
    const ev = event({ headers: { 'x-api-key': 'k'.repeat(40) } });
    expect((await outcome(authorize(ev))).status).toBe(200);
    const second = authorize(ev);
    expect(log.decisions).toHaveLength(2);
    expect((await outcome(second)).status).toBe(200);
  });
});

describe('remembered headers', () => {
  /** A token validator of its own (its remembered headers are its own state), and the reason it gives. */
  const validator = (config = baseConfig(server.issuer, server.uri)) => {
    const jwt = new JwtAuthenticator(validateAuthorizerConfig(config), {
      timeoutMs: 2000, maxAgeMs: 60_000, clock: () => performance.now(), fetcher: fetchJwksBody,
    });
    const check = async (token: string): Promise<string> => {
      try {
        await jwt.authenticate(token, {});
        return Reason.ALLOWED;
      } catch (e) {
        return (e as { reason?: string }).reason ?? String(e);
      }
    };
    return { jwt, check };
  };

  test('only the header of a verified token is remembered, and a remembered header does not vouch for a forged token', async () => {
    const { jwt, check } = validator();
    const header = { typ: 'JWT', remembered: 'test-1' };
    // A forged token (another key, same kid) with a new header: refused, header not remembered.
    expect(await check(signJwt(other, claims(server.issuer), header))).toBe(Reason.BAD_SIGNATURE);
    expect(jwt.verifiedHeaders.size).toBe(0);
    // A genuine token with that header: remembered.
    expect(await check(signJwt(key, claims(server.issuer), header))).toBe(Reason.ALLOWED);
    expect(jwt.verifiedHeaders.size).toBe(1);
    // The same header text on a forged or tampered token is still refused.
    expect(await check(signJwt(other, claims(server.issuer), header))).toBe(Reason.BAD_SIGNATURE);
    const [h, , s] = signJwt(key, claims(server.issuer), header).split('.');
    expect(await check(`${h}.${b64url(JSON.stringify(claims(server.issuer, { tenant_id: 'other' })))}.${s}`)).toBe(Reason.BAD_SIGNATURE);
    expect(jwt.verifiedHeaders.size).toBe(1);
  });

  test('a remembered header skips only the header\'s own checks: the issuer\'s algorithms still apply to it', async () => {
    const strict = 'https://strict.example.com';
    const base = baseConfig(server.issuer, server.uri);
    const { jwt, check } = validator({
      ...base, issuers: [...base.issuers, { issuer: strict, jwksUri: server.uri, audience: ['urn:api:orders'], algorithms: ['ES256'] }],
    });
    // The RS256 header is remembered from the first issuer's token; the second issuer accepts ES256 only.
    expect(await check(signJwt(key, claims(server.issuer)))).toBe(Reason.ALLOWED);
    expect(jwt.verifiedHeaders.size).toBe(1);
    expect(await check(signJwt(key, claims(strict)))).toBe(Reason.ALG_NOT_ALLOWED);
  });

  test('the memory is bounded, and belongs to its authenticator', async () => {
    const { jwt, check } = validator();
    for (let i = 0; i < 70; i++) expect(await check(signJwt(key, claims(server.issuer), { n: i }))).toBe(Reason.ALLOWED);
    expect(jwt.verifiedHeaders.size).toBeLessThanOrEqual(64);
    expect(validator().jwt.verifiedHeaders.size).toBe(0);
  });
});

describe('signature verification with the key prepared at JWKS load', () => {
  const algs = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384'] as const;
  let keys: Record<string, TestKey>;
  const verifier = new JwksServer();
  beforeAll(async () => {
    await verifier.start();
    keys = {
      RS256: rsaKey('rs256', 2048, 'RS256'),
      RS384: rsaKey('rs384', 2048, 'RS384'),
      RS512: rsaKey('rs512', 2048, 'RS512'),
      ES256: ecKey('es256', 'P-256'),
      ES384: ecKey('es384', 'P-384'),
    };
    verifier.keys = Object.values(keys).map((k) => k.publicJwk);
  });
  afterAll(() => verifier.stop());

  const setup = () => {
    const log = new LogCapture();
    const config = baseConfig(verifier.issuer, verifier.uri, {
      issuers: [{ issuer: verifier.issuer, jwksUri: verifier.uri, audience: ['urn:api:orders'], algorithms: [...algs] }],
    });
    return { log, authorize: createAuthorizer(config, { log: log.sink }) };
  };

  test.each(algs)('a valid %s token is allowed (digest and signature encoding per algorithm)', async (alg) => {
    const { authorize } = setup();
    expect((await outcome(authorize(bearer(signJwt(keys[alg], claims(verifier.issuer))))))).toMatchObject({ status: 200 });
  });

  test.each(algs)('a %s token with one signature byte changed is refused', async (alg) => {
    const { log, authorize } = setup();
    const [h, p, s] = signJwt(keys[alg], claims(verifier.issuer)).split('.');
    const sig = Buffer.from(s, 'base64url');
    const at = Math.floor(sig.length / 2);
    sig[at] = (sig[at] + 1) % 256;
    expect(await outcome(authorize(bearer(`${h}.${p}.${b64url(sig)}`)))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });

  test('a signature made with another digest than the header names is refused', async () => {
    const { log, authorize } = setup();
    // RS384 key, RS384 header, but signed with SHA-512.
    const input = `${b64url(JSON.stringify({ alg: 'RS384', kid: keys.RS384.kid }))}.${b64url(JSON.stringify(claims(verifier.issuer)))}`;
    const forged = `${input}.${b64url(sign('sha512', Buffer.from(input), keys.RS384.privateKey))}`;
    expect(await outcome(authorize(bearer(forged)))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });
});

describe('decision line', () => {
  const evil = [
    '', 'plain', 'with "quotes"', 'back\\slash', 'new\nline', 'tab\there', '\u0000\u001f\u007f', 'é ü 日本', '\ud800 lone surrogate', '\u2028\u2029',
    '</script>', '{"injected":true}', '","Decision":"allow',
  ];

  test.each(evil.map((v) => [v]))('jsonString(%j) is the JSON string literal of its input', (v) => {
    expect(JSON.parse(jsonString(v))).toBe(v);
    expect(jsonString(v)).toBe(JSON.stringify(v));
  });

  test('non-string values from a malformed event are written as strings, still valid JSON', () => {
    expect(JSON.parse(jsonString(42 as unknown as string))).toBe('42');
    expect(JSON.parse(jsonString({ a: '"' } as unknown as string))).toBe('[object Object]');
  });

  test('values repeated, alternated or changed between lines are each written as that line\'s own', () => {
    const lines: string[] = [];
    const log = new DecisionLog('Ns', (l) => lines.push(l));
    const values = ['GET /a', 'GET /a', 'GET /b', 'GET /a', 'x"y', 'x"y', `${'GET'} /a`, ''];
    for (const v of values) log.decision({ decision: 'allow', status: 200, reason: Reason.ALLOWED, latencyMs: 1, route: v, issuer: v, kid: v, tenant: v });
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const k of ['route', 'issuer', 'kid', 'tenant']) expect(parsed[k]).toBe(values[i]);
      expect(parsed).toMatchObject({ level: 'INFO', Decision: 'allow', Reason: 'allowed', status: 200, Decisions: 1, DecisionLatency: 1 });
    });
    // An allow line and a deny line after it: each has its own level, decision, reason and status.
    log.decision({ decision: 'deny', status: 403, reason: Reason.INSUFFICIENT_SCOPE, latencyMs: 2, route: 'GET /a' });
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ level: 'WARN', Decision: 'deny', Reason: 'insufficient_scope', status: 403, route: 'GET /a' });
  });

  test('a line whose route, authMethod, issuer, kid or tenant alone differs from the line before writes its own value, or leaves it out', () => {
    const lines: string[] = [];
    const log = new DecisionLog('Ns', (l) => lines.push(l));
    const base = { route: 'GET /a', authMethod: 'jwt', issuer: 'https://i', kid: 'k1', tenant: 'acme' };
    const steps: Array<Partial<Record<keyof typeof base, string | undefined>>> = [
      base, { ...base, kid: 'k2' }, { ...base, kid: 'k2' }, { ...base, tenant: 't"2' }, { ...base, authMethod: 'apiKey' },
      { ...base, issuer: undefined, kid: undefined }, base, { ...base, route: 'GET /b' }, { ...base, tenant: undefined }, base,
    ];
    for (const s of steps) log.decision({ decision: 'allow', status: 200, reason: Reason.ALLOWED, latencyMs: 1, ...s });
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const expected = Object.fromEntries(Object.entries(steps[i]).filter(([, v]) => v !== undefined));
      expect(Object.fromEntries(Object.keys(base).filter((k) => k in parsed).map((k) => [k, parsed[k]]))).toEqual(expected);
    });
  });

  test('hand-built lines hold the same members as JSON.stringify would write, with any field content', () => {
    const lines: string[] = [];
    const log = new DecisionLog('Ns/"quoted"', (l) => lines.push(l));
    for (const v of evil) {
      const fields = {
        decision: 'deny' as const,
        status: 401 as const,
        reason: Reason.MALFORMED_TOKEN,
        latencyMs: 0.12345678,
        requestId: v,
        route: v,
        authMethod: v,
        issuer: v,
        kid: v,
        tenant: v,
        principal: v,
        detail: v,
        degraded: v,
      };
      log.decision(fields);
      const parsed = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
      expect(parsed).toMatchObject({ Decision: 'deny', Reason: 'malformed_token', status: 401, DecisionLatency: 0.123, level: 'WARN' });
      for (const k of ['requestId', 'route', 'authMethod', 'issuer', 'kid', 'tenant', 'principal', 'detail', 'degraded']) expect(parsed[k]).toBe(v);
      expect((parsed._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0].Namespace).toBe('Ns/"quoted"');
    }
    // Undefined fields are absent, as JSON.stringify leaves them out; requestId is always there.
    log.decision({ decision: 'allow', status: 200, reason: Reason.ALLOWED, latencyMs: 1 });
    const last = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(['_aws', 'level', 'message', 'Decision', 'Reason', 'status', 'Decisions', 'DecisionLatency', 'requestId']);
    expect(last.requestId).toBe('');
  });

  test('the latency\'s text is the text of the latency rounded to the microsecond, for any reading', () => {
    const random = rng(11);
    const readings = [0, -0, 0.0004, 0.0005, 0.001, 0.005, 0.05, 0.5, 0.0105, 1, 1.5, 12.345, 99.9995, 1_000_000.001, 2 ** 40 + 0.25,
      Number.MAX_SAFE_INTEGER / 1000, Number.MAX_SAFE_INTEGER / 100, -1, Number.NaN, Number.POSITIVE_INFINITY];
    // Every magnitude from 10^-4 to 10^10 ms.
    for (let i = 0; i < 50_000; i++) readings.push(random() * 10 ** Math.floor(random() * 15 - 4));
    const differences = readings.filter((ms) => millisText(ms) !== String(Math.round(ms * 1000) / 1000));
    expect(differences).toEqual([]);
    const lines: string[] = [];
    new DecisionLog('Ns', (l) => lines.push(l)).decision({ decision: 'allow', status: 200, reason: Reason.ALLOWED, latencyMs: 0.0105 });
    expect(lines[0]).toContain('"DecisionLatency":0.011,');
  });
});
