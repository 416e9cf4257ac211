// RSASSA-PSS (PS256/384/512, RFC 7518 §3.5): tokens signed by an independent signer (jose 6, in a child process)
// are accepted; the padding is bound to the label (a PKCS#1 v1.5 signature labelled PS, or a PSS one labelled RS, is
// refused), the salt is the digest's length, and the issuer's and the key's own algorithm lists still apply.
import { constants, sign } from 'node:crypto';
import {
  authorizerRuntime, b64url, baseConfig, bearer, claims, ecKey, JwksServer, LogCapture, outcome, rsaKey, TestKey,
} from './helpers';
import { Reason } from '../../lib/authorizer';
import { JoseSigner, startJoseSigner } from '../support/jose';

const server = new JwksServer();
let jose: JoseSigner;
let local: TestKey;
let iss: string;
const PS = ['PS256', 'PS384', 'PS512'] as const;

beforeAll(async () => {
  await server.start();
  jose = startJoseSigner();
  iss = server.issuer;
  // `any`: an RSA key that publishes no `alg` (RS* and PS* both); `ps256` and `rs256` publish theirs.
  const [any, ps256, rs256] = await Promise.all([jose.rsaKey('any'), jose.rsaKey('ps256', 'PS256'), jose.rsaKey('rs256', 'RS256')]);
  // A key whose private half the test holds, to forge signatures with the wrong padding.
  local = rsaKey('local');
  const { alg: _alg, ...localNoAlg } = local.publicJwk;
  server.keys = [any, ps256, rs256, localNoAlg, ecKey('ec').publicJwk];
});
afterAll(async () => {
  jose?.stop();
  await server.stop();
});

function setup(algorithms: string[] = [...PS, 'RS256']) {
  const log = new LogCapture();
  const config = baseConfig(iss, server.uri);
  const authorize = authorizerRuntime()({ ...config, issuers: [{ ...config.issuers[0], algorithms: algorithms as never }] }, { log: log.sink });
  /** The status API Gateway would answer a request bearing `token` with. */
  const status = async (token: string | Promise<string>): Promise<number> => (await outcome(authorize(bearer(await token)))).status;
  return { log, authorize, status };
}

/** A token whose header names `alg` and `kid`, signed by the test's own key with the given node:crypto options. */
function forged(alg: string, kid: string, digest: string, options: { padding: number; saltLength?: number }): string {
  const input = `${b64url(JSON.stringify({ alg, kid, typ: 'JWT' }))}.${b64url(JSON.stringify(claims(iss)))}`;
  return `${input}.${b64url(sign(digest, Buffer.from(input), { key: local.privateKey, ...options }))}`;
}

test.each(PS)('a %s token signed by jose is allowed', async (alg) => {
  const { log, authorize } = setup();
  const o = await outcome(authorize(bearer(await jose.sign('any', alg, claims(iss)))));
  expect(o.status).toBe(200);
  expect(log.last).toMatchObject({ Decision: 'allow', Reason: 'allowed', kid: 'any', tenant: 'acme' });
});

test('a PS256 token naming a key that publishes alg PS256 is allowed', async () => {
  const { status } = setup();
  expect(await status(jose.sign('ps256', 'PS256', claims(iss)))).toBe(200);
});

test('a PS256 token is refused by an issuer that allows RS256 only', async () => {
  const { log, status } = setup(['RS256']);
  expect(await status(jose.sign('any', 'PS256', claims(iss)))).toBe(401);
  expect(log.last.Reason).toBe(Reason.ALG_NOT_ALLOWED);
});

test('a PS256 token naming a key that publishes alg RS256 is refused (and an RS256 token naming a PS256 key)', async () => {
  const { log, status } = setup();
  expect(await status(jose.sign('rs256', 'PS256', claims(iss)))).toBe(401);
  expect(log.last.Reason).toBe(Reason.KEY_MISMATCH);
  expect(await status(jose.sign('ps256', 'RS256', claims(iss)))).toBe(401);
  expect(log.last.Reason).toBe(Reason.KEY_MISMATCH);
});

test('a PS256 label on an EC key is refused', async () => {
  const { log, status } = setup();
  const input = `${b64url(JSON.stringify({ alg: 'PS256', kid: 'ec', typ: 'JWT' }))}.${b64url(JSON.stringify(claims(iss)))}`;
  expect(await status(`${input}.${b64url(Buffer.alloc(256, 1))}`)).toBe(401);
  expect(log.last.Reason).toBe(Reason.KEY_MISMATCH);
});

describe('the padding is the label\'s', () => {
  test('the test\'s own key signs valid tokens of both paddings (the forgeries below differ only in what they name)', async () => {
    const { status } = setup();
    expect(await status(forged('PS256', 'local', 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }))).toBe(200);
    expect(await status(forged('RS256', 'local', 'sha256', { padding: constants.RSA_PKCS1_PADDING }))).toBe(200);
  });

  test('a PKCS#1 v1.5 signature labelled PS256 is refused', async () => {
    const { log, status } = setup();
    expect(await status(forged('PS256', 'local', 'sha256', { padding: constants.RSA_PKCS1_PADDING }))).toBe(401);
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });

  test('a PSS signature labelled RS256 is refused', async () => {
    const { log, status } = setup();
    expect(await status(forged('RS256', 'local', 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }))).toBe(401);
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });

  test('a PS256 signature whose salt is not the digest\'s length (RFC 7518 §3.5) is refused', async () => {
    const { log, status } = setup();
    expect(await status(forged('PS256', 'local', 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN }))).toBe(401);
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });

  test('a PS384 label on a PS256 signature is refused', async () => {
    const { log, status } = setup();
    const [h, p] = (await jose.sign('any', 'PS384', claims(iss))).split('.');
    const s = (await jose.sign('any', 'PS256', claims(iss))).split('.')[2];
    expect(await status(`${h}.${p}.${s}`)).toBe(401);
    expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);
  });
});
