// End to end: tenant add → key issue → the real authorizer accepts the key (from the same DynamoDB table, via
// dynalite and the real AWS SDK) → rotate → grace (old key still valid) → after grace (old key refused) → revoke.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { MOTO_CALLER, ON, SPEC, TABLE, World } from './helpers';
import { createAuthorizer, hashApiKey, ItemKeys, Reason } from '../../lib/authorizer';
import type { Authorizer } from '../../lib/authorizer';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';
import { tableClientTenant } from '../../lib/triggers/pre-token-generation';
import { event, LogCapture, outcome } from '../authorizer/helpers';

const world = new World();
let monotonic = 0;
const logs = new LogCapture();
let authorize: Authorizer;

beforeAll(async () => {
  await world.start();
  const store = new DynamoDbAuthorizerStore({ tableName: TABLE, client: world.client });
  // The authorizer's caches run on an injected monotonic clock the test advances; key expiry uses the wall clock.
  authorize = createAuthorizer({
    issuers: [],
    routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
    apiKeys: { header: 'x-api-key', cacheSeconds: 60 },
    tenants: { enabled: true, cacheSeconds: 60 },
    revocation: { enabled: true, cacheSeconds: 30 },
  }, { stores: { apiKeys: store, revocations: store, tenants: store }, clock: () => monotonic, log: logs.sink });
});
afterAll(async () => world.stop());
afterEach(() => jest.restoreAllMocks());

const withKey = (apiKey: string) => event({ headers: { 'x-api-key': apiKey } });
/** Moves past every authorizer cache TTL (60 s) so the next decision reads the table. */
const expireCaches = (): void => {
  monotonic += 61_000;
};

describe('API key lifecycle through the authorizer', () => {
  let firstKey = '';
  let firstId = '';
  let secondKey = '';
  let secondId = '';
  let meteringKey = '';

  test('tenant add creates the tenant and its metering key on the plan\'s usage plan (API Gateway on moto_server)', async () => {
    const r = await world.cli(['tenant', 'add', 'acme', '--plan', 'standard', '--contact', 'ops@acme.example', '--plans', 'standard,premium', '--api', 'orders:v1', ...ON, '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const out = r.json<{ meteringKeyIds: string[] }>();
    const [gw] = await world.gatewayKeys('eu-west-1');
    expect(out.meteringKeyIds).toEqual([`eu-west-1/${gw.id}`]);
    expect(gw).toMatchObject({ name: 'orders-tenant-acme', enabled: true, usagePlans: ['orders-orders-v1-standard'] });
    meteringKey = gw.value;
    // Stored for the authorizer, never printed.
    expect(r.stdout).not.toContain(meteringKey);
    const show = await world.cli(['tenant', 'show', 'acme', ...ON]);
    expect(show.stdout).toMatch(/metering\s+key set \(value hidden\)/);
    expect(show.stdout + show.stderr).not.toContain(meteringKey);
    expect((await world.auditEvents()).at(-1)).toMatchObject({ action: 'tenant.add', target: 'acme', actor: expect.stringMatching(MOTO_CALLER), platform: 'orders' });
  });

  test('key issue: shown once, stored only as its SHA-256 with tenant, plan, creation and expiry', async () => {
    const r = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, '--expires-in', '30d', ...ON, '--json']);
    expect(r.code).toBe(0);
    const out = r.json<{ apiKey: string; keyId: string; plan: string }>();
    firstKey = out.apiKey;
    firstId = out.keyId;
    expect(firstKey).toMatch(/^sap_[A-Za-z0-9_-]{43}$/);
    expect(out.plan).toBe('standard');
    const items = JSON.stringify(await world.items());
    expect(items).not.toContain(firstKey);
    const raw = await world.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: ItemKeys.apiKey(hashApiKey(firstKey)).pk }, sk: { S: 'APIKEY' } } }));
    expect(raw.Item).toMatchObject({ keyId: { S: firstId }, tenantId: { S: 'acme' }, plan: { S: 'standard' }, disabled: { BOOL: false } });
    expect(Number(raw.Item!.expiresAt.N)).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    expect(raw.Item!.createdAt.S).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The audit line names the key id, never the key.
    expect(JSON.stringify(await world.auditEvents())).not.toContain(firstKey);
    // Human output: the list shows ids and state only.
    const list = await world.cli(['key', 'list', '--tenant', 'acme', ...ON]);
    expect(list.stdout.split('\n')[0]).toMatch(/^KEY ID\s+TENANT\s+STATUS\s+EXPIRES\s+SCOPES$/);
    expect(list.stdout).toMatch(new RegExp(`^${firstId}\\s+acme\\s+active\\s`, 'm'));
    expect(list.stdout).not.toContain(firstKey);
  });

  test('the authorizer accepts the key and meters it with the tenant\'s usage-plan key', async () => {
    const o = await outcome(authorize(withKey(firstKey)));
    expect(o.status).toBe(200);
    if (o.status !== 200) return;
    expect(o.result.context).toMatchObject({ tenantId: 'acme', authMethod: 'apiKey', clientId: firstId });
    expect(o.result.usageIdentifierKey).toBe(meteringKey);
  });

  test('rotate: a new key at once, the old one still valid during the grace period', async () => {
    const r = await world.cli(['key', 'rotate', firstId, '--grace', '24h', ...ON, '--json']);
    expect(r.code).toBe(0);
    const out = r.json<{ apiKey: string; keyId: string; rotatedFrom: string; oldKeyValidUntil: string }>();
    secondKey = out.apiKey;
    secondId = out.keyId;
    expect(out.rotatedFrom).toBe(firstId);
    expect(Date.parse(out.oldKeyValidUntil) / 1000).toBeCloseTo(Date.now() / 1000 + 86_400, -1);
    expireCaches();
    expect((await outcome(authorize(withKey(secondKey)))).status).toBe(200);
    expect((await outcome(authorize(withKey(firstKey)))).status).toBe(200);
    const list = await world.cli(['key', 'list', '--tenant', 'acme', ...ON, '--json']);
    expect(list.json<{ keys: Array<{ keyId: string; status: string }> }>().keys.map((k) => [k.keyId, k.status])).toEqual([[firstId, 'grace'], [secondId, 'active']]);
  });

  test('after the grace period the old key is refused (expiry checked by the authorizer), the new one works', async () => {
    const later = Date.now() + 25 * 3600_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    expireCaches();
    expect((await outcome(authorize(withKey(firstKey)))).status).toBe(401);
    expect(logs.last.Reason).toBe(Reason.API_KEY_EXPIRED);
    expect((await outcome(authorize(withKey(secondKey)))).status).toBe(200);
  });

  test('rotating the expired old key is refused (exit 4) and changes nothing', async () => {
    world.nowMs = Date.now() + 25 * 3600_000;
    try {
      const before = await world.items();
      const r = await world.cli(['key', 'rotate', firstId, '--grace', '24h', ...ON]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/error: key key_[0-9a-f]{16} expired at .*grace period is over.*key issue --tenant acme/);
      expect(await world.items()).toEqual(before);
    } finally {
      world.nowMs = undefined;
    }
  });

  test('revoke: refused immediately once the authorizer\'s key cache expires', async () => {
    const dry = await world.cli(['key', 'revoke', secondId, ...ON, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing was changed/);
    expect((await outcome(authorize(withKey(secondKey)))).status).toBe(200);

    const r = await world.cli(['key', 'revoke', secondId, '--reason', 'leaked in a ticket', ...ON]);
    expect(r.code).toBe(0);
    expireCaches();
    expect((await outcome(authorize(withKey(secondKey)))).status).toBe(401);
    expect(logs.last.Reason).toBe(Reason.API_KEY_DISABLED);
    expect((await world.auditEvents()).at(-1)).toMatchObject({ action: 'key.revoke', target: secondId, details: { reason: 'leaked in a ticket' } });

    const again = await world.cli(['key', 'revoke', secondId, ...ON]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already revoked/);
  });

  test('revoke by the leaked key value itself', async () => {
    const issued = (await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON, '--json'])).json<{ apiKey: string; keyId: string }>();
    const r = await world.cli(['key', 'revoke', '--key', issued.apiKey, ...ON, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ keyId: issued.keyId, revoked: true });
    expireCaches();
    expect((await outcome(authorize(withKey(issued.apiKey)))).status).toBe(401);
  });

  test('tenant disable: the authorizer denies the tenant once its tenant cache expires; the metering key is disabled', async () => {
    const issued = (await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON, '--json'])).json<{ apiKey: string }>();
    expect((await outcome(authorize(withKey(issued.apiKey)))).status).toBe(200);
    const r = await world.cli(['tenant', 'disable', 'acme', '--reason', 'contract ended', ...ON]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/denies it within its tenant cache TTL/);
    // Within the TTL the cached record still allows (that is the documented bound) ...
    expect((await outcome(authorize(withKey(issued.apiKey)))).status).toBe(200);
    expireCaches();
    // ... and then the tenant is denied (403: a known principal whose tenant is off).
    const o = await outcome(authorize(withKey(issued.apiKey)));
    expect(o.status).toBe(403);
    expect(logs.last.Reason).toBe(Reason.TENANT_DISABLED);
    expect((await world.gatewayKeys('eu-west-1')).find((k) => k.name === 'orders-tenant-acme')?.enabled).toBe(false);
    const issue = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON]);
    expect(issue.code).toBe(4);
    expect(issue.stderr).toMatch(/tenant acme is disabled/);
  });
});

test('tenant bind-client: the pre-token-generation trigger reads the binding from the same table; unbound clients stay unbound', async () => {
  const add = await world.cli(['tenant', 'add', 'initech', '--plan', 'standard', '--contact', 'ops@initech.example', '--plans', 'standard,premium', '--no-metering', ...ON]);
  expect(add.code).toBe(0);
  const bind = await world.cli(['tenant', 'bind-client', 'initech', '--client-id', '4rmq2c3bq3example', ...ON, '--json']);
  expect(bind.code).toBe(0);
  expect(bind.json()).toEqual({ clientId: '4rmq2c3bq3example', tenantId: 'initech' });
  // The trigger's own lookup, through the real AWS SDK, against the table the CLI wrote.
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: world.dbEndpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  try {
    const lookup = tableClientTenant(TABLE);
    expect(await lookup('4rmq2c3bq3example')).toEqual({ tenantId: 'initech', disabled: false });
    expect(await lookup('unbound-client')).toBeUndefined();
  } finally {
    process.env = saved;
  }
  const missing = await world.cli(['tenant', 'bind-client', 'initech', ...ON]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--client-id/);
  const unknown = await world.cli(['tenant', 'bind-client', 'nobody', '--client-id', 'abc', ...ON]);
  expect(unknown.stderr).toMatch(/tenant nobody not found/);
});
