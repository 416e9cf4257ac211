// The authorizer Azure Function, in-process through the @azure/functions v4 handler, with its store in Azure Tables
// served by a real local server (azurite 3.35, started on a free port): the same decisions as the Lambda.
import { randomUUID } from 'node:crypto';
import { apimBody, invocationLines, invoke } from './function-runtime';
import { claims, event, JwksServer, LogCapture, now, rsaKey, signJwt, TestKey } from '../authorizer/helpers';
import { startAzuriteTables } from '../support/azurite';
import { AuthorizerConfig, hashApiKey, ItemKeys, Reason } from '../../lib/authorizer';
import { AZURE_AUTHZ_RESPONSE } from '../../lib/authorizer/adapters/azure-contract';
import { configErrorHandler, createAzureAuthorizerHandler, requestFromApim } from '../../lib/authorizer/adapters/azure-function';
import { AzureTablesAuthorizerStore, tableKey } from '../../lib/authorizer/stores/azure-tables';

const issuerA = new JwksServer();
const issuerB = new JwksServer();
let keyA: TestKey;
let keyB: TestKey;
let azurite: Awaited<ReturnType<typeof startAzuriteTables>>;
let store: AzureTablesAuthorizerStore;
const API_KEY = 'sap_test_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

beforeAll(async () => {
  await Promise.all([issuerA.start(), issuerB.start()]);
  keyA = rsaKey('shared-kid');
  keyB = rsaKey('shared-kid');
  issuerA.keys = [keyA.publicJwk];
  issuerB.keys = [keyB.publicJwk];
  azurite = await startAzuriteTables();
  const client = azurite.table(`authz${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  await client.createTable();
  store = new AzureTablesAuthorizerStore({ client });
  await store.putTenant({ tenantId: 'acme', disabled: false, plan: 'standard' });
  await store.putTenant({ tenantId: 'frozen', disabled: true });
  await store.putApiKey({ apiKey: API_KEY, keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'] });
  await store.putApiKey({ apiKey: `${API_KEY}-disabled`, keyId: 'key-2', tenantId: 'acme', scopes: ['orders:read'], disabled: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([issuerA.stop(), issuerB.stop(), azurite?.stop()]);
});

function config(extra: Partial<AuthorizerConfig> = {}): AuthorizerConfig {
  return {
    issuers: [
      { issuer: issuerA.issuer, jwksUri: issuerA.uri, audience: ['api://a'], algorithms: ['RS256'] },
      { issuer: issuerB.issuer, jwksUri: issuerB.uri, audience: ['api://b'], algorithms: ['RS256'] },
    ],
    routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
    apiKeys: { header: 'x-api-key' },
    ...extra,
  };
}

function handler(extra: Partial<AuthorizerConfig> = {}) {
  const log = new LogCapture();
  const h = createAzureAuthorizerHandler(config(extra), { log: log.sink, stores: { apiKeys: store, revocations: store, tenants: store } });
  const call = (headers: Record<string, string>) => invoke(h, JSON.stringify(apimBody(event({ headers }))));
  return { log, call, h };
}

const tokenA = (extra: Record<string, unknown> = {}) => signJwt(keyA, { ...claims(issuerA.issuer), aud: 'api://a', ...extra });

describe('issuers are never pooled', () => {
  test('issuer A\'s key cannot mint a token that claims issuer B, even with B\'s kid and audience', async () => {
    const { log, call } = handler();
    // Signed with A's private key, claiming B (same kid as B's key): checked against B's keys only.
    const forged = signJwt(keyA, { ...claims(issuerB.issuer), aud: 'api://b' });
    expect((await call({ Authorization: `Bearer ${forged}` })).status).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.BAD_SIGNATURE, issuer: issuerB.issuer });
    // Each issuer's own tokens pass, with its own audience only.
    expect((await call({ Authorization: `Bearer ${signJwt(keyB, { ...claims(issuerB.issuer), aud: 'api://b' })}` })).status).toBe(200);
    expect((await call({ Authorization: `Bearer ${tokenA({ aud: 'api://b' })}` })).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.WRONG_AUDIENCE);
  });
});

describe('the v4 handler', () => {
  test('an allow answers 200 with the trusted context (strings) and no reason; the decision line goes to context.log', async () => {
    const { call } = handler();
    invocationLines.length = 0;
    const res = await call({ Authorization: `Bearer ${tokenA()}` });
    expect(res.status).toBe(200);
    expect(res.jsonBody).toEqual({ principalId: `${issuerA.issuer}#user-1`, tenantId: 'acme', scopes: 'orders:read', clientId: 'client-1', authMethod: 'jwt' });
    expect(Object.keys(res.jsonBody as object).sort()).toEqual(Object.values(AZURE_AUTHZ_RESPONSE).sort());
    const line = JSON.parse(invocationLines[invocationLines.length - 1]) as Record<string, unknown>;
    expect(line).toMatchObject({ message: 'authorizer decision', Decision: 'allow', Reason: 'allowed', tenant: 'acme' });
  });

  test('a deny answers 401 or 403 with a generic message only', async () => {
    const { call } = handler();
    const expired = await call({ Authorization: `Bearer ${tokenA({ exp: now() - 3600 })}` });
    expect(expired).toMatchObject({ status: 401, jsonBody: { message: 'Unauthorized' } });
    const scope = await call({ Authorization: `Bearer ${tokenA({ scope: 'orders:write' })}` });
    expect(scope).toMatchObject({ status: 403, jsonBody: { message: 'Forbidden' } });
    expect(JSON.stringify([expired, scope])).not.toMatch(/expired|insufficient/);
  });

  test.each([
    ['not JSON', '{"route": '],
    ['a JSON array', '[]'],
    ['no route', '{"method":"GET"}'],
    ['over 32 KB', JSON.stringify({ route: '/orders/{id}', pad: 'x'.repeat(40_000) })],
  ])('a body that is %s is denied with 401 and logged', async (_what, body) => {
    const { log, h } = handler();
    expect((await invoke(h, body)).status).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.INTERNAL_ERROR, detail: 'authorizer request body is not the API Management contract' });
  });

  test('a header API Management forwards twice reaches the decision as two values and is refused', async () => {
    const { log, h } = handler();
    const body = { ...apimBody(event({ headers: {} })), headers: { authorization: [`Bearer ${tokenA()}`, `Bearer ${tokenA()}`] } };
    expect((await invoke(h, JSON.stringify(body))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.AMBIGUOUS_CREDENTIALS);
  });

  test('the client certificate arrives as base64 DER and reaches the decision as PEM', () => {
    const der = Buffer.from('certificate-bytes').toString('base64');
    const req = requestFromApim({ route: '/orders/{id}', clientCertificate: der });
    expect(req.requestContext?.identity?.clientCert?.clientCertPem).toBe(`-----BEGIN CERTIFICATE-----\n${der}\n-----END CERTIFICATE-----`);
    expect(requestFromApim({ route: '/x', clientCertificate: 'not base64!' }).requestContext?.identity?.clientCert).toBeNull();
  });

  test('a configuration that could not be loaded denies every request with 401 and logs config_error', async () => {
    const log = new LogCapture();
    const res = await invoke(configErrorHandler('AUTHORIZER_CONFIG is not set', log.sink), '{}');
    expect(res.status).toBe(401);
    expect(log.last).toMatchObject({ Reason: Reason.CONFIG_ERROR, detail: 'AUTHORIZER_CONFIG is not set' });
  });
});

describe('AzureTablesAuthorizerStore on azurite (the same store interface as DynamoDB)', () => {
  const signal = () => new AbortController().signal;

  test('every DynamoDB key has a table key without the characters tables refuse', () => {
    const k = tableKey(ItemKeys.revokedSubject('https://id.example.com/t?x=1#', 'user/1\\2'));
    expect(k.partitionKey).not.toMatch(/[/\\#?]/);
    expect(decodeURIComponent(k.partitionKey)).toBe(ItemKeys.revokedSubject('https://id.example.com/t?x=1#', 'user/1\\2').pk);
  });

  test('API keys are stored by SHA-256 only and read back', async () => {
    expect(await store.getApiKey(hashApiKey(API_KEY), { signal: signal() })).toEqual({ keyId: 'key-1', tenantId: 'acme', scopes: ['orders:read'], disabled: false, expiresAt: undefined });
    const raw = await store.client.getEntity<Record<string, unknown>>(tableKey(ItemKeys.apiKey(hashApiKey(API_KEY))).partitionKey, 'APIKEY');
    expect(JSON.stringify(raw)).not.toContain(API_KEY);
    expect(await store.getApiKey('0'.repeat(64), { signal: signal() })).toBeUndefined();
  });

  test('the function allows an API key, refuses a disabled key and a disabled tenant', async () => {
    const { log, call } = handler();
    expect((await call({ 'x-api-key': API_KEY })).status).toBe(200);
    expect((await call({ 'x-api-key': `${API_KEY}-disabled` })).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.API_KEY_DISABLED);
    expect((await call({ Authorization: `Bearer ${tokenA({ tenant_id: 'frozen' })}` })).status).toBe(403);
    expect(log.last.Reason).toBe(Reason.TENANT_DISABLED);
    expect((await call({ Authorization: `Bearer ${tokenA({ tenant_id: 'nobody' })}` })).status).toBe(403);
    expect(log.last.Reason).toBe(Reason.TENANT_UNKNOWN);
  });

  test('a revoked token (jti) and a revoked subject are refused', async () => {
    const jti = randomUUID();
    await store.revokeJti(jti, now() + 600, 'test');
    const { log, call } = handler();
    expect((await call({ Authorization: `Bearer ${tokenA({ jti })}` })).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.REVOKED);
    await store.revokeSubject(issuerA.issuer, 'user-9', now() + 5);
    expect((await call({ Authorization: `Bearer ${tokenA({ sub: 'user-9', iat: now() - 10 })}` })).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.REVOKED);
    expect((await call({ Authorization: `Bearer ${tokenA({ sub: 'user-10' })}` })).status).toBe(200);
  });

  test('a store that cannot answer denies (fail closed), never a 500 or a hang', async () => {
    // A server nothing listens on.
    const { TableClient } = await import('@azure/data-tables');
    const unreachable = new TableClient('http://127.0.0.1:9/devstoreaccount1', 'authz', { getToken: async () => ({ token: 'x', expiresOnTimestamp: Date.now() + 60_000 }) }, {
      allowInsecureConnection: true, retryOptions: { maxRetries: 0 },
    });
    const broken = new AzureTablesAuthorizerStore({ client: unreachable });
    const log = new LogCapture();
    const h = createAzureAuthorizerHandler(config(), { log: log.sink, stores: { apiKeys: broken, revocations: broken, tenants: store } });
    expect((await invoke(h, JSON.stringify(apimBody(event({ headers: { Authorization: `Bearer ${tokenA()}` } }))))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.REVOCATION_UNAVAILABLE);
  });

  test('a table that does not exist is a store that cannot answer, not "no entity": revocation fails closed', async () => {
    // 404 TableNotFound (a wrong table name) must never read as "not revoked".
    const missing = new AzureTablesAuthorizerStore({ client: azurite.table(`missing${randomUUID().replace(/-/g, '').slice(0, 10)}`) });
    const log = new LogCapture();
    const h = createAzureAuthorizerHandler(config(), { log: log.sink, stores: { apiKeys: missing, revocations: missing, tenants: store } });
    expect((await invoke(h, JSON.stringify(apimBody(event({ headers: { Authorization: `Bearer ${tokenA()}` } }))))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.REVOCATION_UNAVAILABLE);
    expect((await invoke(h, JSON.stringify(apimBody(event({ headers: { 'x-api-key': API_KEY } }))))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.KEY_STORE_UNAVAILABLE);
  });
});
