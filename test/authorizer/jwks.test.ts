// JWKS handling: cached per cold start, merged fetches, rotation, no fetch storm, and every endpoint fault ends in a
// deny within the deadline (fail closed, never a hang, never a 500).
import { baseConfig, bearer, claims, JwksBehaviour, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey } from './helpers';
import { createAuthorizer, fetchJwksBody, Reason } from '../../lib/authorizer';

const server = new JwksServer();
let key: TestKey;

beforeAll(async () => {
  await server.start();
  key = rsaKey('k1');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.behaviour = 'ok';
  server.keys = [key.publicJwk];
});

function setup(clock?: () => number) {
  const log = new LogCapture();
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { jwksTimeoutMs: 300 }), { log: log.sink, clock });
  return { log, authorize };
}

test('the JWKS is fetched once and cached', async () => {
  const { authorize } = setup();
  const before = server.requests;
  for (let i = 0; i < 5; i++) expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  expect(server.requests - before).toBe(1);
});

test('concurrent first requests share one fetch', async () => {
  const { authorize } = setup();
  const before = server.requests;
  const results = await Promise.all(Array.from({ length: 20 }, () => outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))));
  expect(results.every((r) => r.status === 200)).toBe(true);
  expect(server.requests - before).toBe(1);
});

test('a key published after warm-up is accepted (rotation), and unknown kids cannot cause a fetch storm', async () => {
  let t = 0;
  const { log, authorize } = setup(() => t);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  const before = server.requests;

  // 100 forged kids within the back-off window: at most one refetch.
  t = 20_000;
  for (let i = 0; i < 100; i++) {
    const o = await outcome(authorize(bearer(signJwt({ ...key, kid: `forged-${i}` }, claims(server.issuer)))));
    expect(o.status).toBe(401);
  }
  expect(server.requests - before).toBeLessThanOrEqual(1);
  expect(log.last.Reason).toBe(Reason.UNKNOWN_KID);

  // The issuer rotates: the new kid is fetched once the back-off has passed.
  const next = rsaKey('k2');
  server.keys = [key.publicJwk, next.publicJwk];
  t = 40_000;
  expect((await outcome(authorize(bearer(signJwt(next, claims(server.issuer)))))).status).toBe(200);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
});

test('a key removed by the issuer stops working once the cached set expires', async () => {
  let t = 0;
  const { authorize } = setup(() => t);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  server.keys = [rsaKey('k3').publicJwk];
  t = 3_600_001;
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(401);
});

test('a stale set is kept when the refresh fails (the issuer being down does not lock everyone out)', async () => {
  let t = 0;
  const { log, authorize } = setup(() => t);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  server.behaviour = 'down';
  t = 3_600_001;
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  expect(log.lines.some((l) => l.message === 'JWKS fetch failed')).toBe(true);
});

describe.each<[JwksBehaviour, number]>([
  ['down', 2000],
  ['slow', 1500],
  ['garbage', 2000],
  ['not-json-keys', 2000],
  ['huge', 2000],
  ['huge-chunked', 2000],
  ['redirect', 2000],
  ['hang-body', 1500],
])('JWKS endpoint %s', (behaviour, budgetMs) => {
  test('denies within the deadline, and backs off', async () => {
    server.behaviour = behaviour;
    const { log, authorize } = setup();
    const started = Date.now();
    const o = await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))));
    expect(o.status).toBe(401);
    expect(log.last.Reason).toBe(Reason.JWKS_UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(budgetMs);
    // The next request within the back-off does not hit the endpoint again.
    const before = server.requests;
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(401);
    expect(server.requests).toBe(before);
  });
});

test('an unreachable JWKS host is a deny, not a hang', async () => {
  const log = new LogCapture();
  const authorize = createAuthorizer(baseConfig('http://127.0.0.1:9', 'http://127.0.0.1:9/jwks', { jwksTimeoutMs: 300 }), { log: log.sink });
  const o = await outcome(authorize(bearer(signJwt(key, claims('http://127.0.0.1:9')))));
  expect(o.status).toBe(401);
  expect(log.last.Reason).toBe(Reason.JWKS_UNAVAILABLE);
});

test('fetchJwksBody enforces the size cap and the deadline by itself', async () => {
  server.behaviour = 'huge-chunked';
  await expect(fetchJwksBody(server.uri, 1000, 64 * 1024)).rejects.toThrow(/cap/);
  server.behaviour = 'slow';
  const started = Date.now();
  await expect(fetchJwksBody(server.uri, 200, 64 * 1024)).rejects.toThrow(/deadline/);
  expect(Date.now() - started).toBeLessThan(1000);
  server.behaviour = 'ok';
  await expect(fetchJwksBody(server.uri, 1000, 64 * 1024).then((b) => JSON.parse(b.toString()))).resolves.toEqual({ keys: [key.publicJwk] });
});
