// The DynamoDB stores against a real DynamoDB-compatible server (dynalite on 127.0.0.1) with the real AWS SDK
// client: no mocked SDK on the data path.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { baseConfig, bearer, claims, event, JwksServer, LogCapture, now, outcome, rsaKey, signJwt, TestKey } from './helpers';
import { createAuthorizer, hashApiKey, ItemKeys, Reason } from '../../lib/authorizer';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

const TABLE = 'authorizer-test';
const API_KEY = 'sap_test_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
let db: Server;
let endpoint: string;
let client: DynamoDBClient;
let store: DynamoDbAuthorizerStore;
const jwks = new JwksServer();
let key: TestKey;
const savedEnv = { ...process.env };

beforeAll(async () => {
  db = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALTESTONLY', AWS_SECRET_ACCESS_KEY: 'local-test-only', AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  });
  client = new DynamoDBClient({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'local-test-only' } });
  await client.send(new CreateTableCommand({
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  }));
  store = new DynamoDbAuthorizerStore({ tableName: TABLE, client });
  await store.putTenant({ tenantId: 'acme', disabled: false, meteringKey: 'usage-plan-key-acme', plan: 'standard' });
  await store.putTenant({ tenantId: 'frozen', disabled: true });
  await store.putApiKey({ apiKey: API_KEY, keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'] });
  await store.putApiKey({ apiKey: `${API_KEY}-disabled`, keyId: 'key-2', tenantId: 'acme', scopes: ['orders:read'], disabled: true });
  await store.putApiKey({ apiKey: `${API_KEY}-expired`, keyId: 'key-3', tenantId: 'acme', scopes: ['orders:read'], expiresAt: now() - 10 });
  await jwks.start();
  key = rsaKey('k1');
  jwks.keys = [key.publicJwk];
});

afterAll(async () => {
  process.env = savedEnv;
  client.destroy();
  await jwks.stop();
  await new Promise<void>((resolve) => db.close(() => resolve()));
});

const signal = () => new AbortController().signal;

describe('DynamoDbAuthorizerStore (item schema round trips)', () => {
  test('API keys are stored by SHA-256 only, never in clear', async () => {
    const raw = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: ItemKeys.apiKey(hashApiKey(API_KEY)).pk }, sk: { S: 'APIKEY' } } }));
    expect(raw.Item?.pk.S).toBe(`APIKEY#${hashApiKey(API_KEY)}`);
    expect(JSON.stringify(raw.Item)).not.toContain(API_KEY);
    expect(await store.getApiKey(hashApiKey(API_KEY), { signal: signal() })).toEqual({ keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'], disabled: false });
    expect(await store.getApiKey(hashApiKey('unknown'), { signal: signal() })).toBeUndefined();
  });

  test('jti, origin_jti and subject revocations', async () => {
    await store.revokeJti('jti-revoked', now() + 600, 'test');
    await store.revokeSubject('https://issuer.example.com', 'user-9', now() - 5);
    const status = await store.getRevocationStatus({ issuer: 'https://issuer.example.com', subject: 'user-9', jtis: ['jti-ok', 'jti-revoked'] }, { signal: signal() });
    expect(status.revokedJtis).toEqual(['jti-revoked']);
    expect(status.subjectRevokedBefore).toBeLessThanOrEqual(now());
    const clean = await store.getRevocationStatus({ issuer: 'https://issuer.example.com', subject: 'user-1', jtis: ['jti-ok'] }, { signal: signal() });
    expect(clean).toEqual({ revokedJtis: [], subjectRevokedBefore: undefined });
  });

  test('tenants', async () => {
    expect(await store.getTenant('acme', { signal: signal() })).toEqual({ tenantId: 'acme', disabled: false, meteringKey: 'usage-plan-key-acme', plan: 'standard' });
    expect(await store.getTenant('nobody', { signal: signal() })).toBeUndefined();
  });
});

describe('createAuthorizer with tableName (the production wiring: SDK client from AWS_REGION and the endpoint env)', () => {
  function setup(extra = {}) {
    const log = new LogCapture();
    const authorize = createAuthorizer(baseConfig(jwks.issuer, jwks.uri, {
      tableName: TABLE, revocation: {}, tenants: {}, apiKeys: {}, ...extra,
    }), { log: log.sink });
    return { log, authorize };
  }

  test('a JWT caller gets its tenant metering key as usageIdentifierKey', async () => {
    const { authorize } = setup();
    const o = await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer)))));
    expect(o.status).toBe(200);
    if (o.status === 200) expect(o.result.usageIdentifierKey).toBe('usage-plan-key-acme');
  });

  test('a revoked jti, origin_jti or subject is refused', async () => {
    const { log, authorize } = setup();
    await store.revokeJti('revoked-1', now() + 600);
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { jti: 'revoked-1' })))))).status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.REVOKED, detail: 'jti' });
    await store.revokeJti('refresh-1', now() + 600);
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { origin_jti: 'refresh-1' })))))).status).toBe(401);
    await store.revokeSubject(jwks.issuer, 'user-logout', now());
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { sub: 'user-logout', iat: now() - 10 })))))).status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.REVOKED, detail: 'subject' });
    // Tokens issued after the subject revocation work again.
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { sub: 'user-logout', iat: now() + 1 })))))).status).toBe(200);
  });

  test('API keys: valid, unknown, disabled, expired; the tenant comes from the key record', async () => {
    const { log, authorize } = setup();
    const ok = await outcome(authorize(event({ headers: { 'X-Api-Key': API_KEY, 'X-Tenant-Id': 'frozen' } })));
    expect(ok.status).toBe(200);
    if (ok.status === 200) {
      expect(ok.result.context).toMatchObject({ principalId: 'apikey:key-1', tenantId: 'acme', clientId: 'key-1', authMethod: 'apiKey' });
      expect(ok.result.usageIdentifierKey).toBe('usage-plan-key-acme');
    }
    for (const [k, reason] of [['wrong-key-value-xxxxxxxxxxxxxxxxxxxx', Reason.INVALID_API_KEY], [`${API_KEY}-disabled`, Reason.API_KEY_DISABLED],
      [`${API_KEY}-expired`, Reason.API_KEY_EXPIRED], ['has space', Reason.INVALID_API_KEY]] as const) {
      expect((await outcome(authorize(event({ headers: { 'x-api-key': k } }))))).toEqual({ status: 401 });
      expect(log.last.Reason).toBe(reason);
    }
  });

  test('a disabled or unknown tenant is refused with 403', async () => {
    const { log, authorize } = setup();
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { tenant_id: 'frozen' }))))))).toMatchObject({ status: 403 });
    expect(log.last.Reason).toBe(Reason.TENANT_DISABLED);
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer, { tenant_id: 'nobody' }))))))).toMatchObject({ status: 403 });
    expect(log.last.Reason).toBe(Reason.TENANT_UNKNOWN);
  });
});

describe('store outages', () => {
  let blackhole: Server;
  let blackholeUrl: string;
  beforeAll(async () => {
    // Accepts connections and never answers.
    blackhole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    blackholeUrl = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    blackhole.closeAllConnections();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  function setup(url: string, extra = {}) {
    const log = new LogCapture();
    const deadStore = new DynamoDbAuthorizerStore({
      tableName: TABLE,
      client: new DynamoDBClient({ region: 'eu-west-1', endpoint: url, maxAttempts: 1, credentials: { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'x' } }),
    });
    const authorize = createAuthorizer(baseConfig(jwks.issuer, jwks.uri, { storeTimeoutMs: 200, revocation: {}, ...extra }), {
      log: log.sink, stores: { revocations: deadStore, tenants: deadStore, apiKeys: deadStore },
    });
    return { log, authorize };
  }

  test.each([['unreachable', () => 'http://127.0.0.1:9'], ['hanging', () => blackholeUrl]])('an %s revocation store fails closed within the deadline', async (_n, url) => {
    const { log, authorize } = setup(url());
    const started = Date.now();
    expect(await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer)))))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.REVOCATION_UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('revocation.failOpen allows, and says so in the log', async () => {
    const { log, authorize } = setup(blackholeUrl, { revocation: { failOpen: true } });
    expect((await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer)))))).status).toBe(200);
    expect(log.last).toMatchObject({ Decision: 'allow', degraded: 'revocation_unchecked' });
  });

  test('a hanging tenant or key store fails closed', async () => {
    const { log, authorize } = setup(blackholeUrl, { revocation: { enabled: false }, tenants: {}, apiKeys: {} });
    expect(await outcome(authorize(bearer(signJwt(key, claims(jwks.issuer)))))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.TENANT_STORE_UNAVAILABLE);
    expect(await outcome(authorize(event({ headers: { 'x-api-key': API_KEY } })))).toEqual({ status: 401 });
    expect(log.last.Reason).toBe(Reason.KEY_STORE_UNAVAILABLE);
  });
});
