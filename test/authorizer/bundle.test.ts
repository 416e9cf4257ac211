// The bundle built ahead of synth loads and decides from its own folder (Cedar engine beside it), in a fresh
// process with nothing but the asset: no repository node_modules on the resolution path.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseConfig, bearer, claims, JwksServer, now, rsaKey, signJwt, TestKey } from './helpers';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';
import { createTable, startDynalite } from '../support/dynalite';
import { runBundledHandler } from '../support/run-bundled';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
let outdir: string;
const server = new JwksServer();
let key: TestKey;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'authorizer-bundle-'));
  await run(process.execPath, [join(root, 'scripts', 'bundle-authorizer.mjs'), '--outdir', outdir], { cwd: root });
  await server.start();
  key = rsaKey('k1');
  server.keys = [key.publicJwk];
});

afterAll(async () => {
  await server.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** Runs the bundled handler over `events` with `config` in AUTHORIZER_CONFIG (see runBundledHandler). */
async function runBundled(config: object, events: unknown[], env: Record<string, string> = {}): Promise<{ outcomes: string[]; reasons: string[] }> {
  return runBundledHandler(outdir, events, { AUTHORIZER_CONFIG: JSON.stringify(config), ...env });
}

test('the bundle is under 60 KB of JavaScript and ships the Cedar wasm beside it', () => {
  expect(statSync(join(outdir, 'index.js')).size).toBeLessThan(60 * 1024);
  expect(statSync(join(outdir, 'node_modules', '@cedar-policy', 'cedar-wasm', 'nodejs', 'cedar_wasm_bg.wasm')).size).toBeGreaterThan(1_000_000);
});

test('the bundled handler makes Cedar decisions from its own folder, in a fresh process', async () => {
  const config = baseConfig(server.issuer, server.uri, {
    policies: [
      'permit(principal, action == Action::"GET /orders/{id}", resource) when { context.scopes.contains("orders:read") };',
      'forbid(principal, action, resource) when { context.tenant == "blocked" };',
    ].join('\n'),
  });
  const events = [
    bearer(signJwt(key, claims(server.issuer))),
    bearer(signJwt(key, claims(server.issuer, { tenant_id: 'blocked' }))),
    bearer(signJwt(key, claims(server.issuer, { exp: 1 }))),
  ];
  const { outcomes, reasons } = await runBundled(config, events);
  expect(outcomes).toEqual(['Allow:acme:', 'Deny', 'throw:Unauthorized']);
  expect(reasons).toEqual(['allowed', 'policy_deny', 'expired']);
});

test('a policy set outside the compiled subset falls back to the Cedar engine loaded from beside the bundle', async () => {
  expect(statSync(join(outdir, 'cedar-wasm.js')).size).toBeGreaterThan(1000);
  const config = baseConfig(server.issuer, server.uri, {
    // decimal() is not compiled: this set is evaluated by cedar-wasm, through the separately bundled adapter.
    policies: 'permit(principal, action, resource) when { context.tenant == "acme" && decimal("1.5").lessThan(decimal("2.0")) };',
    // Loading the engine holds the init for a while on a busy machine: the JWKS request started before it must not time out.
    jwksTimeoutMs: 10_000,
  });
  const events = [bearer(signJwt(key, claims(server.issuer))), bearer(signJwt(key, claims(server.issuer, { tenant_id: 'blocked' })))];
  const { outcomes, reasons } = await runBundled(config, events);
  expect({ outcomes, reasons }).toEqual({ outcomes: ['Allow:acme:', 'Deny'], reasons: ['allowed', 'policy_deny'] });
});

test('the bundled handler reads revocations and tenants from DynamoDB with the SDK client shipped beside it', async () => {
  expect(statSync(join(outdir, 'aws-sdk-dynamodb.js')).size).toBeGreaterThan(100_000);
  const db = await startDynalite();
  try {
    await createTable(db.client, 'bundle-authorizer', 'pk', 'sk');
    const store = new DynamoDbAuthorizerStore({ tableName: 'bundle-authorizer', client: db.client });
    await store.putTenant({ tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    await store.revokeJti('revoked-jti', now() + 3600);
    const config = baseConfig(server.issuer, server.uri, { tableName: 'bundle-authorizer', revocation: { enabled: true }, tenants: { enabled: true } });
    const events = [
      bearer(signJwt(key, claims(server.issuer))),
      bearer(signJwt(key, claims(server.issuer, { jti: 'revoked-jti' }))),
      bearer(signJwt(key, claims(server.issuer, { tenant_id: 'unknown-tenant' }))),
    ];
    const { outcomes, reasons } = await runBundled(config, events, {
      AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    expect(outcomes).toEqual(['Allow:acme:meter-acme', 'throw:Unauthorized', 'Deny']);
    expect(reasons).toEqual(['allowed', 'revoked', 'tenant_unknown']);
  } finally {
    await db.stop();
  }
});
