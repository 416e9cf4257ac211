// JWKS prefetch at init: the fetch starts when the authorizer is built (Lambda init), a failure there never throws or
// crashes the module load, and the first request still fails closed when the keys cannot be had.
import { baseConfig, bearer, claims, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey } from './helpers';
import { createAuthorizer, JwksFetcher, Reason } from '../../lib/authorizer';
import { scheduleWarmUp, warmUpVerifyPaths } from '../../lib/authorizer/warmup';
// The module object itself (an `import * as` namespace is frozen), so jest can spy on its verify.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeCrypto = require('node:crypto');

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

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Waits (polling, at most 5 s) until the JWKS server has seen `count` requests since `before`: a loaded machine delays the fetch. */
async function requestsReach(before: number, count: number): Promise<number> {
  for (let i = 0; i < 250 && server.requests - before < count; i++) await tick();
  return server.requests - before;
}

test('the JWKS fetch starts when the authorizer is built, and the first request uses it', async () => {
  const before = server.requests;
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { prefetchJwks: true, log: new LogCapture().sink });
  expect(await requestsReach(before, 1)).toBe(1);
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  expect(server.requests - before).toBe(1);
});

test('without prefetchJwks nothing is fetched before the first request', async () => {
  const before = server.requests;
  createAuthorizer(baseConfig(server.issuer, server.uri), { log: new LogCapture().sink });
  await tick();
  expect(server.requests - before).toBe(0);
});

test('a failed prefetch does not throw; the first request fetches again and fails closed (401) when that fails too', async () => {
  server.behaviour = 'down';
  const log = new LogCapture();
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri, { jwksTimeoutMs: 300 }), { prefetchJwks: true, log: log.sink });
  // Polling, at most 5 s: a loaded machine delays the fetch and its log line.
  const failed = (): boolean => log.lines.some((l) => l.message === 'JWKS fetch failed');
  for (let i = 0; i < 250 && !failed(); i++) await tick();
  expect(failed()).toBe(true);
  const before = server.requests;
  expect(await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
  expect(log.last.Reason).toBe(Reason.JWKS_UNAVAILABLE);
  expect(server.requests - before).toBe(1);
});

test('a failed prefetch sets no back-off: the first request succeeds once the endpoint is back', async () => {
  let calls = 0;
  const fetcher: JwksFetcher = async () => {
    calls++;
    if (calls === 1) throw new Error('connection refused');
    return Buffer.from(JSON.stringify({ keys: [key.publicJwk] }));
  };
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { prefetchJwks: true, jwksFetcher: fetcher, log: new LogCapture().sink });
  await tick();
  expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  expect(calls).toBe(2);
});

test('a request during a prefetch that then fails is denied (401), never a 500 or a hang', async () => {
  let fail: (e: Error) => void = () => undefined;
  const fetcher: JwksFetcher = () => new Promise<Buffer>((_, reject) => {
    fail = reject;
  });
  const log = new LogCapture();
  const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { prefetchJwks: true, jwksFetcher: fetcher, log: log.sink });
  const pending = outcome(authorize(bearer(signJwt(key, claims(server.issuer)))));
  fail(new Error('reset'));
  expect(await pending).toEqual({ status: 401 });
  expect(log.last.Reason).toBe(Reason.JWKS_UNAVAILABLE);
});

test('the Lambda module loads with an unreachable JWKS endpoint, and its first request is denied (401)', async () => {
  server.behaviour = 'down';
  const saved = process.env.AUTHORIZER_CONFIG;
  process.env.AUTHORIZER_CONFIG = JSON.stringify(baseConfig(server.issuer, server.uri, { jwksTimeoutMs: 300 }));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    let mod: typeof import('../../lib/authorizer') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('../../lib/authorizer') as typeof import('../../lib/authorizer');
    });
    expect(mod).toBeDefined();
    await tick();
    expect(await outcome(mod!.handler(bearer(signJwt(key, claims(server.issuer)))))).toEqual({ status: 401 });
  } finally {
    write.mockRestore();
    if (saved === undefined) delete process.env.AUTHORIZER_CONFIG;
    else process.env.AUTHORIZER_CONFIG = saved;
  }
});

describe('warm-up of the verify paths at init', () => {
  test('runs without throwing for every algorithm family, and with none configured', () => {
    expect(() => warmUpVerifyPaths(new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'EdDSA']))).not.toThrow();
    expect(() => warmUpVerifyPaths(new Set())).not.toThrow();
  });

  test('an issuer that signs with RSASSA-PSS only gets the PSS verify path warmed, with the salt as long as the digest', () => {
    const verify = jest.spyOn(nodeCrypto, 'verify');
    try {
      warmUpVerifyPaths(new Set(['PS256']));
      const keys = verify.mock.calls.map((c) => c[2] as { padding?: number; saltLength?: number });
      expect(verify.mock.calls.map((c) => c[0])).toContain('sha256');
      const { RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = nodeCrypto.constants;
      expect(keys).toContainEqual(expect.objectContaining({ padding: RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALTLEN_DIGEST }));
    } finally {
      verify.mockRestore();
    }
  });

  test('scheduled, it runs one step per turn of the event loop, after the current one, until every step has run', async () => {
    const verify = jest.spyOn(nodeCrypto, 'verify');
    const hash = jest.spyOn(nodeCrypto, 'createHash');
    try {
      scheduleWarmUp(new Set(['RS256', 'PS256', 'ES256']), () => false);
      expect(verify).not.toHaveBeenCalled();
      const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) {
        await turn();
        seen.push(verify.mock.calls.length);
      }
      // The RSA import, RS256, PS256, the P-256 import with ES256, the hash: one per turn.
      expect(seen.slice(0, 5)).toEqual([0, 1, 2, 3, 3]);
      expect(verify.mock.calls.map((c) => c[0])).toEqual(['sha256', 'sha256', 'sha256']);
      expect(hash).toHaveBeenCalledWith('sha256');
    } finally {
      verify.mockRestore();
      hash.mockRestore();
    }
  });

  test('scheduled, it stops as soon as done() says so (the authorizer passes: the JWKS fetch has settled)', async () => {
    const verify = jest.spyOn(nodeCrypto, 'verify');
    try {
      let keysIn = false;
      scheduleWarmUp(new Set(['RS256', 'PS256']), () => keysIn);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(verify).toHaveBeenCalledTimes(1);
      keysIn = true;
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  test('its throwaway keys are never in a key set: a token naming them is an unknown kid', async () => {
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(server.issuer, server.uri), { prefetchJwks: true, log: log.sink });
    await tick();
    // Signed with a fresh key under the warm-up keys' kid: refused as unknown, never checked against a warm-up key.
    const impostor = rsaKey('warm-up');
    expect(await outcome(authorize(bearer(signJwt(impostor, claims(server.issuer)))))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.UNKNOWN_KID);
    expect((await outcome(authorize(bearer(signJwt(key, claims(server.issuer)))))).status).toBe(200);
  });
});
