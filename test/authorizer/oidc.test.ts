// Real tokens from a real OpenID provider: oidc-provider (ESM-only, so a child process) on 127.0.0.1 issues
// client-credentials JWT access tokens (resource indicators, accessTokenFormat 'jwt'); the authorizer validates
// them against the provider's own JWKS endpoint.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { b64url, bearer, LogCapture, outcome } from './helpers';
import { createAuthorizer, MemoryAuthorizerStore, Reason } from '../../lib/authorizer';

interface Provider { issuer: string; jwksUri: string; tokenEndpoint: string; resource: string }
let child: ChildProcess;
let op: Provider;

beforeAll(async () => {
  child = spawn(process.execPath, [join(__dirname, 'oidc-server.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('oidc-provider did not start within 15 s')), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}`)));
  });
  op = JSON.parse(firstLine) as Provider;
});

afterAll(() => {
  child.stdin?.end();
  child.kill();
});

async function clientCredentials(client: string, secret: string, scope: string): Promise<string> {
  const res = await fetch(op.tokenEndpoint, {
    method: 'POST',
    headers: { 'authorization': `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: op.resource, scope }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`token endpoint: ${JSON.stringify(body)}`);
  return body.access_token;
}

function authorizer(extra: Record<string, unknown> = {}) {
  const log = new LogCapture();
  const store = new MemoryAuthorizerStore();
  store.tenants.set('tenant-orders-client', { tenantId: 'tenant-orders-client', disabled: false, meteringKey: 'metering-key-orders' });
  store.tenants.set('tenant-es-client', { tenantId: 'tenant-es-client', disabled: true });
  const authorize = createAuthorizer({
    issuers: [{ issuer: op.issuer, jwksUri: op.jwksUri, audience: [op.resource], algorithms: ['RS256', 'ES256'], tenantClaim: 'tenant' }],
    routes: { 'GET /orders/{id}': { scopes: ['orders:read'] }, 'POST /orders': { scopes: ['orders:write'] } },
    ...extra,
  }, { log: log.sink, stores: { revocations: store, tenants: store } });
  return { log, store, authorize };
}

test('an RS256 client-credentials access token from oidc-provider is allowed, with tenant and metering key', async () => {
  const token = await clientCredentials('orders-client', 'orders-client-secret-for-tests-only', 'orders:read');
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, string>;
  expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' });
  const { log, authorize } = authorizer();
  const o = await outcome(authorize(bearer(token)));
  expect(o.status).toBe(200);
  if (o.status !== 200) return;
  expect(o.result.context).toEqual({ principalId: `${op.issuer}#orders-client`, tenantId: 'tenant-orders-client', scopes: 'orders:read', clientId: 'orders-client', authMethod: 'jwt' });
  expect(o.result.usageIdentifierKey).toBe('metering-key-orders');
  expect(log.last).toMatchObject({ Decision: 'allow', issuer: op.issuer, kid: 'rsa-1' });
  // No token material in the result or the log.
  expect(JSON.stringify(o.result)).not.toContain(token.split('.')[2]);
  expect(log.raw.join('\n')).not.toContain(token.split('.')[1]);
});

test('the scope granted by the provider is enforced per route', async () => {
  const token = await clientCredentials('orders-client', 'orders-client-secret-for-tests-only', 'orders:read');
  const { log, authorize } = authorizer();
  const o = await outcome(authorize(bearer(token, { method: 'POST', resource: '/orders', path: '/orders' })));
  expect(o.status).toBe(403);
  expect(log.last.Reason).toBe(Reason.INSUFFICIENT_SCOPE);
});

test('an ES256 token is verified; its disabled tenant is refused', async () => {
  const token = await clientCredentials('es-client', 'es-client-secret-for-tests-only', 'orders:read');
  const { log, authorize } = authorizer();
  expect((await outcome(authorize(bearer(token)))).status).toBe(403);
  expect(log.last).toMatchObject({ Reason: Reason.TENANT_DISABLED, kid: 'ec-1' });
});

test('a provider token revoked by jti is refused', async () => {
  const token = await clientCredentials('orders-client', 'orders-client-secret-for-tests-only', 'orders:read');
  const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { jti: string };
  const { log, store, authorize } = authorizer();
  store.revokedJtis.add(jti);
  expect((await outcome(authorize(bearer(token)))).status).toBe(401);
  expect(log.last.Reason).toBe(Reason.REVOKED);
});

test('a provider token with a tampered payload, or for another audience, is refused', async () => {
  const token = await clientCredentials('orders-client', 'orders-client-secret-for-tests-only', 'orders:read');
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const tampered = `${h}.${b64url(JSON.stringify({ ...claims, scope: 'orders:read orders:write' }))}.${s}`;
  const { log, authorize } = authorizer();
  expect((await outcome(authorize(bearer(tampered, { method: 'POST', resource: '/orders' })))).status).toBe(401);
  expect(log.last.Reason).toBe(Reason.BAD_SIGNATURE);

  const other = authorizer({ issuers: [{ issuer: op.issuer, jwksUri: op.jwksUri, audience: ['urn:api:other'], tenantClaim: 'tenant' }] });
  expect((await outcome(other.authorize(bearer(token)))).status).toBe(401);
  expect(other.log.last.Reason).toBe(Reason.WRONG_AUDIENCE);
});
