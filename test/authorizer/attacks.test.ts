// The attack catalogue of RFC 8725 and the JWT CVEs: every token below must be rejected with a 401 (never a 500,
// never a hang), and the log must say why.
import { createPublicKey } from 'node:crypto';
import {
  authorizerRuntime, b64url, baseConfig, bearer, claims, ecKey, edKey, hmacJwt, JwksServer, LogCapture, now, outcome, rsaKey, signJwt, TestKey,
} from './helpers';
import { Reason } from '../../lib/authorizer';
import { decomposeJwt } from '../../lib/authorizer/jwt';
import { Denial } from '../../lib/authorizer/reasons';

const server = new JwksServer();
let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let attacker: TestKey;
let weak: TestKey;
let iss: string;

beforeAll(async () => {
  await server.start();
  rsa = rsaKey('rsa-1');
  ec = ecKey('ec-1');
  ed = edKey('ed-1');
  attacker = rsaKey('rsa-1');
  weak = rsaKey('weak-1', 1024);
  server.keys = [rsa.publicJwk, ec.publicJwk, ed.publicJwk, weak.publicJwk, { kty: 'oct', kid: 'hmac-1', k: b64url('secret-secret-secret-secret-1234') }];
  iss = server.issuer;
});
afterAll(() => server.stop());

function setup(extra = {}) {
  const log = new LogCapture();
  const authorize = authorizerRuntime()(baseConfig(iss, server.uri, extra), { log: log.sink });
  return { log, authorize };
}

async function expectRejected(token: string, reason: string, extra = {}): Promise<void> {
  const { log, authorize } = setup(extra);
  const started = Date.now();
  const o = await outcome(authorize(bearer(token)));
  expect(o.status).toBe(401);
  expect(log.last.Reason).toBe(reason);
  expect(Date.now() - started).toBeLessThan(3000);
}

describe('baseline', () => {
  test.each([['RS256', () => rsa], ['ES256', () => ec], ['EdDSA', () => ed]])('a valid %s token is allowed', async (_alg, key) => {
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key(), claims(iss)))));
    expect(o.status).toBe(200);
    expect(log.last).toMatchObject({ Decision: 'allow', Reason: 'allowed', kid: key().kid, tenant: 'acme' });
  });
});

describe('algorithm attacks', () => {
  test.each(['none', 'None', 'NONE', 'nOnE'])('alg %s is refused', async (alg) => {
    const [h, p] = signJwt(rsa, claims(iss), { alg }).split('.');
    await expectRejected(`${h}.${p}.`, Reason.MALFORMED_TOKEN);
    await expectRejected(`${h}.${p}.${b64url('x')}`, Reason.ALG_NOT_ALLOWED);
  });

  test('HS256 signed with the RSA public key (key confusion) is refused', async () => {
    const pem = createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    await expectRejected(hmacJwt(pem, claims(iss), { kid: 'rsa-1' }), Reason.ALG_NOT_ALLOWED);
  });

  test('HS256 against a published oct key is refused', async () => {
    await expectRejected(hmacJwt('secret-secret-secret-secret-1234', claims(iss), { kid: 'hmac-1' }), Reason.ALG_NOT_ALLOWED);
  });

  test('an algorithm outside the issuer allowlist is refused', async () => {
    await expectRejected(signJwt(ec, claims(iss)), Reason.ALG_NOT_ALLOWED, {
      issuers: [{ issuer: iss, jwksUri: server.uri, audience: ['urn:api:orders'] }],
    });
  });

  test('an alg that does not match the key (RS384 header on an RS256 key) is refused', async () => {
    const token = signJwt({ ...rsa, alg: 'RS384' }, claims(iss));
    await expectRejected(token, Reason.ALG_NOT_ALLOWED);
    await expectRejected(token, Reason.KEY_MISMATCH, { issuers: [{ issuer: iss, jwksUri: server.uri, audience: ['urn:api:orders'], algorithms: ['RS256', 'RS384'] }] });
  });

  test('an ES256 header pointing at the RSA key is refused', async () => {
    await expectRejected(signJwt({ ...ec, kid: 'rsa-1' }, claims(iss)), Reason.KEY_MISMATCH);
  });

  test('ECDSA psychic signature (r = s = 0, CVE-2022-21449) is refused', async () => {
    const [h, p] = signJwt(ec, claims(iss)).split('.');
    await expectRejected(`${h}.${p}.${b64url(Buffer.alloc(64))}`, Reason.BAD_SIGNATURE);
    // DER-encoded zero signature too
    await expectRejected(`${h}.${p}.${b64url(Buffer.from('3006020100020100', 'hex'))}`, Reason.BAD_SIGNATURE);
  });

  test('RSA keys under 2048 bits are refused even with a valid signature', async () => {
    await expectRejected(signJwt(weak, claims(iss)), Reason.WEAK_KEY);
  });
});

describe('key selection attacks', () => {
  test('a token signed by another key with the same kid is refused', async () => {
    await expectRejected(signJwt(attacker, claims(iss)), Reason.BAD_SIGNATURE);
  });

  test('an unknown kid is refused', async () => {
    await expectRejected(signJwt({ ...rsa, kid: 'nope' }, claims(iss)), Reason.UNKNOWN_KID);
  });

  test.each([
    ['missing', { kid: undefined }],
    ['empty', { kid: '' }],
    ['not a string', { kid: 42 }],
    ['oversized', { kid: 'k'.repeat(300) }],
  ])('a %s kid is refused', async (_name, header) => {
    const h = { ...header };
    const token = signJwt(rsa, claims(iss), h);
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(token)));
    expect(o.status).toBe(401);
    expect([Reason.MISSING_KID, Reason.MALFORMED_TOKEN]).toContain(log.last.Reason);
  });

  test('injected kid values (path traversal, SQL) are only ever map keys', async () => {
    for (const kid of ['../../etc/passwd', "' OR 1=1 --", 'rsa-1\u0000', '__proto__', 'constructor']) {
      await expectRejected(signJwt({ ...attacker, kid }, claims(iss)), Reason.UNKNOWN_KID);
    }
  });

  test.each(['jwk', 'jku', 'x5u', 'x5c'])('a token embedding or pointing at a key (%s) is refused and nothing is fetched', async (h) => {
    const before = server.requests;
    const value = h === 'jwk' ? attacker.publicJwk : h === 'x5c' ? ['MIIB'] : 'http://127.0.0.1:1/evil.json';
    await expectRejected(signJwt(attacker, claims(iss), { [h]: value }), Reason.EMBEDDED_KEY_HEADER);
    expect(server.requests).toBe(before);
  });

  test('crit headers are refused (no extension is understood)', async () => {
    await expectRejected(signJwt(rsa, claims(iss), { crit: ['exp'] }), Reason.CRIT_HEADER);
    await expectRejected(signJwt(rsa, claims(iss), { crit: ['b64'], b64: false }), Reason.CRIT_HEADER);
  });
});

describe('claims', () => {
  const t = now();
  test.each([
    ['expired', { exp: t - 120 }, Reason.EXPIRED],
    ['expired just beyond the skew', { exp: t - 61 }, Reason.EXPIRED],
    ['missing exp', { exp: undefined }, Reason.MISSING_EXP],
    ['exp as a string', { exp: String(t + 300) }, Reason.MALFORMED_TOKEN],
    ['nbf in the future', { nbf: t + 600 }, Reason.NOT_YET_VALID],
    ['iat in the future', { iat: t + 600, exp: t + 900 }, Reason.IAT_IN_FUTURE],
    ['lifetime over the cap', { iat: t, exp: t + 2 * 86_400 }, Reason.LIFETIME_TOO_LONG],
    ['no iat and an exp far away', { iat: undefined, exp: t + 2 * 86_400 }, Reason.LIFETIME_TOO_LONG],
    ['wrong issuer', { iss: 'https://evil.example.com' }, Reason.UNKNOWN_ISSUER],
    ['issuer with a trailing slash', { iss: `${'ISS'}/` }, Reason.UNKNOWN_ISSUER],
    ['missing issuer', { iss: undefined }, Reason.UNKNOWN_ISSUER],
    ['wrong audience', { aud: 'urn:api:other' }, Reason.WRONG_AUDIENCE],
    ['missing audience', { aud: undefined }, Reason.WRONG_AUDIENCE],
    ['audience list without the API', { aud: ['urn:api:other', 'urn:api:more'] }, Reason.WRONG_AUDIENCE],
    ['empty audience list', { aud: [] }, Reason.WRONG_AUDIENCE],
    ['nbf half a minute beyond the skew', { nbf: t + 90 }, Reason.NOT_YET_VALID],
    ['id token where access is expected', { token_use: 'id' }, Reason.WRONG_TOKEN_USE],
    ['missing subject', { sub: undefined }, Reason.MISSING_SUBJECT],
    ['missing tenant', { tenant_id: undefined }, Reason.MISSING_TENANT],
    ['tenant with a key separator', { tenant_id: 'acme#TENANT#other' }, Reason.INVALID_TENANT],
    ['tenant as an object', { tenant_id: { id: 'acme' } }, Reason.INVALID_TENANT],
    ['unsupported confirmation method (DPoP jkt)', { cnf: { jkt: 'abc' } }, Reason.INVALID_CLAIM],
  ])('%s is refused', async (_name, extra, reason) => {
    const c = claims(iss, extra);
    if (c.iss === 'ISS/') c.iss = `${iss}/`;
    for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
    await expectRejected(signJwt(rsa, c), reason);
  });

  test('an audience list holding the API is accepted', async () => {
    const { authorize } = setup();
    const c = claims(iss);
    const o = await outcome(authorize(bearer(signJwt(rsa, { ...c, aud: ['urn:api:other', c.aud as string] }))));
    expect(o.status).toBe(200);
  });

  test('a token within the clock skew is accepted', async () => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(rsa, claims(iss, { exp: now() - 30, nbf: now() + 30 })))));
    expect(o.status).toBe(200);
  });

  test('Cognito: token_use and client_id are checked', async () => {
    const cognito = { issuers: [{ issuer: iss, jwksUri: server.uri, clientIds: ['app-client'], tokenUse: 'access' as const }] };
    const good = claims(iss, { aud: undefined, token_use: 'access', client_id: 'app-client' });
    delete good.aud;
    const { authorize } = setup(cognito);
    expect((await outcome(authorize(bearer(signJwt(rsa, good))))).status).toBe(200);
    await expectRejected(signJwt(rsa, { ...good, client_id: 'other-client' }), Reason.WRONG_CLIENT, cognito);
    await expectRejected(signJwt(rsa, { ...good, client_id: undefined }), Reason.WRONG_CLIENT, cognito);
    await expectRejected(signJwt(rsa, { ...good, token_use: 'id' }), Reason.WRONG_TOKEN_USE, cognito);
    await expectRejected(signJwt(rsa, { ...good, token_use: undefined }), Reason.WRONG_TOKEN_USE, cognito);
  });
});

describe('encodings', () => {
  test.each([
    ['empty', ''],
    ['one part', 'abc'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['non-base64url characters', 'ab$c.def.ghi'],
    ['header not JSON', `${b64url('not json')}.${b64url('{}')}.abc`],
    ['header a JSON array', `${b64url('[]')}.${b64url('{}')}.abc`],
    ['payload a JSON string', `${b64url('{"alg":"RS256","kid":"rsa-1"}')}.${b64url('"x"')}.abc`],
    ['padded base64', `${Buffer.from('{"alg":"RS256","kid":"rsa-1"}').toString('base64')}.${b64url('{}')}.abc`],
    ['standard base64 alphabet', `${b64url('{"alg":"RS256","kid":"rsa-1"}')}.${Buffer.from('{"a":"??>>"}').toString('base64').replace(/=+$/, '')}.abc`],
    ['non-canonical trailing bits', `${b64url('{"alg":"RS256","kid":"rsa-1"}')}.${b64url('{}').slice(0, -1)}${String.fromCharCode(b64url('{}').charCodeAt(b64url('{}').length - 1) + 1)}.abc`],
  ])('%s token is refused as malformed', async (_name, token) => {
    const { log, authorize } = setup();
    const o = await outcome(authorize(bearer(token)));
    expect(o.status).toBe(401);
    expect([Reason.MALFORMED_TOKEN, Reason.MALFORMED_HEADER]).toContain(log.last.Reason);
  });

  test('stripped and truncated signatures are refused', async () => {
    const token = signJwt(rsa, claims(iss));
    const [h, p, s] = token.split('.');
    await expectRejected(`${h}.${p}.`, Reason.MALFORMED_TOKEN);
    await expectRejected(`${h}.${p}.${s.slice(0, 20)}`, Reason.BAD_SIGNATURE);
    await expectRejected(`${h}.${p}.${s.slice(0, -2)}`, Reason.BAD_SIGNATURE);
  });

  test('other encodings of the same signature bytes are refused, though the signature would verify', async () => {
    // Node's base64url decoder maps each of these to the same bytes as the original signature: only the canonical
    // encoding is accepted (no `+`/`/`, nothing skipped by the decoder, no character aliasing an alphabet letter).
    let token = signJwt(rsa, claims(iss));
    while (!/-/.test(token.split('.')[2]) || !/_/.test(token.split('.')[2])) token = signJwt(rsa, claims(iss, { jti: `j-${Math.random()}` }));
    // A character above U+00FF whose low byte is an alphabet letter: the decoder reads it as that letter.
    const alias = (v: string): string => `${String.fromCharCode(v.charCodeAt(0) + 0x100)}${v.slice(1)}`;
    const [h, p, s] = token.split('.');
    await expect(outcome(setup().authorize(bearer(token)))).resolves.toMatchObject({ status: 200 });
    const variants = [
      s.replace('-', '+').replace('_', '/'),
      `${s.slice(0, 8)}\u0000${s.slice(8)}`.slice(0, s.length + 1).padEnd(s.length + 3, '!'),
      alias(s),
      `${s}==`,
    ];
    for (const variant of variants) {
      expect(Buffer.from(variant, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
      await expectRejected(`${h}.${p}.${variant}`, Reason.MALFORMED_TOKEN);
    }
    expect(Buffer.from(alias(p), 'base64url').equals(Buffer.from(p, 'base64url'))).toBe(true);
    await expectRejected(`${h}.${alias(p)}.${s}`, Reason.MALFORMED_TOKEN);
  });

  test('a segment is accepted exactly when it is the canonical encoding of its bytes (every last character, every length)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const [h, p] = signJwt(rsa, claims(iss)).split('.');
    const accepted = (segment: string): boolean => {
      try {
        decomposeJwt(`${h}.${p}.${segment}`);
        return true;
      } catch (e) {
        expect((e as Denial).reason).toBe(Reason.MALFORMED_TOKEN);
        return false;
      }
    };
    for (const body of ['', 'A', 'AB', 'ABC', 'ABCD', 'ABCDE', 'ABCDEFG']) {
      for (const last of alphabet) {
        const segment = `${body}${last}`;
        expect([segment, accepted(segment)]).toEqual([segment, Buffer.from(segment, 'base64url').toString('base64url') === segment]);
      }
    }
    for (let c = 0; c < 0x180; c++) {
      if (alphabet.includes(String.fromCharCode(c))) continue;
      expect([c, accepted(`AAAA${String.fromCharCode(c)}AAA`)]).toEqual([c, false]);
    }
  });

  test('the one-pass shape check gives the per-segment answer: 20,000 mutated tokens, same acceptance and same refusal', () => {
    // The rule, segment by segment and in the parser's order: three segments; the header canonical base64url (the
    // canonical encoding of its bytes), then a JSON object; the payload the same; the signature canonical.
    const canonical = (part: string): boolean => /^[A-Za-z0-9_-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
    const object = (part: string): boolean => {
      try {
        const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      } catch {
        return false;
      }
    };
    const reference = (token: string): string => {
      const parts = token.split('.');
      if (parts.length !== 3) return 'not three segments';
      for (const part of parts.slice(0, 2)) {
        if (!canonical(part)) return 'not canonical base64url';
        if (!object(part)) return 'refused later';
      }
      return canonical(parts[2]) ? 'ok' : 'not canonical base64url';
    };
    const decomposed = (token: string): string => {
      try {
        decomposeJwt(token);
        return 'ok';
      } catch (e) {
        const message = (e as Denial).message;
        return message === 'not three segments' || message === 'not canonical base64url' ? message : 'refused later';
      }
    };
    const base = signJwt(rsa, claims(iss));
    const chars = ['A', 'z', '0', '-', '_', '.', '+', '/', '=', ' ', '\n', '\u0000', '\u00e9', '\u0141', '\u2028', '\ud83d'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const seen = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      let token = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(token.length + 1);
        const kind = random(3);
        const c = chars[random(chars.length)];
        token = kind === 0 ? `${token.slice(0, at)}${c}${token.slice(at)}` : kind === 1 ? `${token.slice(0, at)}${c}${token.slice(at + 1)}` : `${token.slice(0, at)}${token.slice(at + 1)}`;
      }
      const expected = reference(token);
      const actual = decomposed(token);
      // A token of the right shape may still be refused for its members' types (header or claims): not a shape answer.
      expect([token, expected === 'ok' && actual === 'refused later' ? 'ok' : actual]).toEqual([token, expected]);
      seen.set(expected, (seen.get(expected) ?? 0) + 1);
    }
    // Every answer occurred, so each path was taken.
    expect([...seen.keys()].sort()).toEqual(['not canonical base64url', 'not three segments', 'ok', 'refused later']);
  });

  test('each JSON segment is read as its own bytes: a short payload after a long one, multi-byte UTF-8, a non-canonical payload', () => {
    const [h, , sig] = signJwt(rsa, claims(iss)).split('.');
    const segment = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const long = { sub: 'x'.repeat(3000), iss };
    const short = { sub: 'Zoë 日本', iss };
    expect(decomposeJwt(`${h}.${segment(long)}.${sig}`).payload).toEqual(long);
    expect(decomposeJwt(`${h}.${segment(short)}.${sig}`).payload).toEqual(short);
    expect(decomposeJwt(`${h}.${segment({ a: 1 })}.${sig}`).payload).toEqual({ a: 1 });
    const canonical = segment({ sub: 'ab?>' });
    expect(() => decomposeJwt(`${h}.${canonical.replace(/-/g, '+').replace(/_/g, '/')}.${sig}`)).toThrow(Denial);
    expect(() => decomposeJwt(`${h}.${canonical}=.${sig}`)).toThrow(Denial);
  });

  test('a payload swapped under a valid signature is refused', async () => {
    const [h, , s] = signJwt(rsa, claims(iss)).split('.');
    const p = b64url(JSON.stringify(claims(iss, { tenant_id: 'other' })));
    await expectRejected(`${h}.${p}.${s}`, Reason.BAD_SIGNATURE);
  });

  test('oversized tokens are refused before parsing', async () => {
    await expectRejected(signJwt(rsa, claims(iss, { pad: 'x'.repeat(9000) })), Reason.TOKEN_TOO_LARGE);
  });

  test('prototype pollution in claims has no effect', async () => {
    const token = signJwt(rsa, JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(claims(iss)).slice(1)}`) as Record<string, unknown>);
    const { authorize } = setup();
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer '],
    ['a raw token without the scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
  ])('%s in Authorization is refused', async (_name, value) => {
    const { log, authorize } = setup();
    const ev = bearer('x');
    (ev.headers as Record<string, string>).Authorization = value;
    (ev.multiValueHeaders as Record<string, string[]>).Authorization = [value];
    expect((await outcome(authorize(ev))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.MALFORMED_HEADER);
  });

  test('two Authorization headers are refused as ambiguous', async () => {
    const { log, authorize } = setup();
    const token = signJwt(rsa, claims(iss));
    const ev = bearer(token, { multiValueHeaders: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] } });
    expect((await outcome(authorize(ev))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.AMBIGUOUS_CREDENTIALS);
  });
});
