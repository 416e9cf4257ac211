// An independent JWS signer for the tests: jose 6 (ESM-only, hence a child process of its own). It generates its
// keys itself and answers one JSON line per request on stdin:
//   { "id": 1, "op": "key", "kid": "k1", "alg": "PS256" }          -> { "id": 1, "jwk": { public JWK, kid, alg, use } }
//   { "id": 2, "op": "sign", "kid": "k1", "alg": "PS256", "claims": {...} } -> { "id": 2, "token": "<compact JWS>" }
// `alg` of a key is what its JWK publishes (left out when null); a sign request may use any algorithm the key allows.
import { generateKeyPairSync } from 'node:crypto';
import { createInterface } from 'node:readline';
import { exportJWK, SignJWT } from 'jose';

const keys = new Map();

async function handle(request) {
  if (request.op === 'key') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: request.bits ?? 2048 });
    keys.set(request.kid, privateKey);
    const jwk = { ...(await exportJWK(publicKey)), kid: request.kid, use: 'sig', ...(request.alg ? { alg: request.alg } : {}) };
    return { jwk };
  }
  if (request.op === 'sign') {
    const key = keys.get(request.kid);
    if (!key) throw new Error(`no key ${request.kid}`);
    const token = await new SignJWT(request.claims).setProtectedHeader({ alg: request.alg, kid: request.kid, typ: 'JWT' }).sign(key);
    return { token };
  }
  throw new Error(`unknown op ${request.op}`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  handle(request).then(
    (answer) => process.stdout.write(`${JSON.stringify({ id: request.id, ...answer })}\n`),
    (e) => process.stdout.write(`${JSON.stringify({ id: request.id, error: String(e && e.message) })}\n`),
  );
}).on('close', () => process.exit(0));
