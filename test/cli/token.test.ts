// `token revoke` against dynalite with the real AWS SDK, proven through the real authorizer: a revoked token is
// denied once the authorizer's revocation cache ("not revoked", 30 s) expires. Tokens are signed with a real key
// and verified against a JWKS served on 127.0.0.1.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ON, TABLE, World } from './helpers';
import { createAuthorizer, ItemKeys, Reason } from '../../lib/authorizer';
import type { Authorizer } from '../../lib/authorizer';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';
import { baseConfig, bearer, claims, JwksServer, LogCapture, now, outcome, rsaKey, signJwt, TestKey } from '../authorizer/helpers';

const world = new World();
const jwks = new JwksServer();
let key: TestKey;
let monotonic = 0;
const logs = new LogCapture();
let authorize: Authorizer;

beforeAll(async () => {
  await world.start();
  await jwks.start();
  key = rsaKey('k1');
  jwks.keys = [key.publicJwk];
  const store = new DynamoDbAuthorizerStore({ tableName: TABLE, client: world.client });
  authorize = createAuthorizer(
    baseConfig(jwks.issuer, jwks.uri, { revocation: { enabled: true, cacheSeconds: 30 }, tenants: { enabled: false } }),
    { stores: { revocations: store }, clock: () => monotonic, log: logs.sink },
  );
});
afterAll(async () => {
  await jwks.stop();
  await world.stop();
});

const item = async (k: { pk: string; sk: string }) =>
  (await world.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: k.pk }, sk: { S: k.sk } }, ConsistentRead: true }))).Item;

describe('token revoke', () => {
  test('by --token: the deny-list entry lives until the token\'s exp; denied once the revocation cache expires', async () => {
    const c = claims(jwks.issuer, { exp: now() + 600 });
    const token = signJwt(key, c);
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);

    const r = await world.cli(['token', 'revoke', '--token', token, '--reason', 'laptop stolen', ...ON, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ jti: c.jti, ttlFrom: 'token exp' });
    const entry = await item(ItemKeys.revokedJti(String(c.jti)));
    expect(entry?.ttl.N).toBe(String(c.exp));
    expect(entry?.reason.S).toBe('laptop stolen');
    expect((await world.auditEvents()).at(-1)).toMatchObject({ action: 'token.revoke', target: c.jti });
    // The audit line never carries the token.
    expect(JSON.stringify(await world.auditEvents())).not.toContain(token);

    monotonic += 10_000; // within the 30 s "not revoked" cache: still allowed (the documented bound)
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);
    monotonic += 21_000; // past it: the store is asked again
    expect((await outcome(authorize(bearer(token)))).status).toBe(401);
    expect(logs.last.Reason).toBe(Reason.REVOKED);
  });

  test('by <jti>: TTL = now + --max-lifetime (the issuer\'s longest token)', async () => {
    world.nowMs = Date.UTC(2030, 0, 1);
    try {
      const r = await world.cli(['token', 'revoke', 'jti-123', '--max-lifetime', '1h', ...ON]);
      expect(r.code).toBe(0);
      expect((await item(ItemKeys.revokedJti('jti-123')))?.ttl.N).toBe(String(Date.UTC(2030, 0, 1) / 1000 + 3600));
    } finally {
      world.nowMs = undefined;
    }
  });

  test('by --subject/--issuer: every token of the subject issued before now is denied after the cache TTL', async () => {
    const c = claims(jwks.issuer, { sub: 'user-7', iat: now() - 30, exp: now() + 600 });
    const token = signJwt(key, c);
    expect((await outcome(authorize(bearer(token)))).status).toBe(200);
    const r = await world.cli(['token', 'revoke', '--subject', 'user-7', '--issuer', jwks.issuer, ...ON]);
    expect(r.code).toBe(0);
    const entry = await item(ItemKeys.revokedSubject(jwks.issuer, 'user-7'));
    expect(Number(entry?.revokedBefore.N)).toBeGreaterThanOrEqual(now() - 2);
    expect(Number(entry?.ttl.N)).toBeCloseTo(now() + 86_400, -1);
    monotonic += 31_000;
    expect((await outcome(authorize(bearer(token)))).status).toBe(401);
    expect(logs.last.Reason).toBe(Reason.REVOKED);
  });

  test('--dry-run writes nothing and audits nothing', async () => {
    const before = await world.items();
    const audited = (await world.auditEvents()).length;
    const r = await world.cli(['token', 'revoke', 'jti-dry', ...ON, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ dryRun: true, changes: [{ action: 'revoke-jti', target: 'jti-dry' }] });
    expect(await world.items()).toEqual(before);
    expect(await world.auditEvents()).toHaveLength(audited);
  });

  test.each([
    ['an expired token (nothing to revoke)', () => ['--token', signJwt(key, claims(jwks.issuer, { iat: now() - 900, exp: now() - 60 }))], 4, /token expired at .*nothing to revoke/],
    ['a malformed token', () => ['--token', 'not.a-jwt'], 2, /--token is not a JWT/],
    ['a token the authorizer refuses as malformed (a signature not in canonical base64url)', () => {
      const [h, p, sig] = signJwt(key, claims(jwks.issuer, { jti: 'j-noncanonical' })).split('.');
      return ['--token', `${h}.${p}.${sig.slice(0, -4)}+/==`];
    }, 2, /--token is not a JWT \(not canonical base64url\)/],
    ['a token without exp', () => ['--token', signJwt(key, { jti: 'x', sub: 's' })], 2, /no numeric `exp`/],
    ['jti and subject together', () => ['jti-1', '--subject', 's', '--issuer', 'https://idp.example.com'], 2, /either one token .* or a subject/],
    ['a subject without issuer', () => ['--subject', 's'], 2, /--subject and --issuer go together/],
    ['an issuer with a fragment', () => ['--subject', 's', '--issuer', 'https://idp.example.com/#x'], 2, /must not contain '#'/],
    ['nothing named', () => [], 2, /name what to revoke/],
  ])('%s: documented exit code, one-line error, nothing changed', async (_name, args, code, message) => {
    const before = await world.items();
    const r = await world.cli(['token', 'revoke', ...args(), ...ON]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await world.items()).toEqual(before);
  });
});
