// The bundle built ahead of synth loads and decides from its own folder (Cedar engine beside it), in a fresh
// process with nothing but the asset: no repository node_modules on the resolution path.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

test('with --outdir the bundle script writes only inside the folder it is given, which its caller removes', () => {
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`${basename(outdir)}-`))).toEqual([]);
  expect(statSync(join(outdir, 'pre-token-generation', 'index.js')).size).toBeGreaterThan(1000);
  expect(statSync(join(outdir, 'origin-verify-rotation', 'index.js')).size).toBeGreaterThan(1000);
});

test('the bundle is under 60 KB of JavaScript and ships the Cedar wasm beside it', () => {
  expect(statSync(join(outdir, 'index.js')).size).toBeLessThan(60 * 1024);
  expect(statSync(join(outdir, 'node_modules', '@cedar-policy', 'cedar-wasm', 'nodejs', 'cedar_wasm_bg.wasm')).size).toBeGreaterThan(1_000_000);
});

test('loading the bundle makes no AbortController (its first costs ~0.15 ms of a cold start, for an authorizer that may never use one)', () => {
  // A fresh process, no configuration (so no authorizer is built): the module's own top-level work only.
  const made = execFileSync(process.execPath, ['-e', [
    'let made = 0;',
    'const Original = globalThis.AbortController;',
    'globalThis.AbortController = class extends Original { constructor() { super(); made++; } };',
    `require(${JSON.stringify(join(outdir, 'index.js'))});`,
    'process.stdout.write(String(made));',
  ].join('\n')], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  expect(made).toBe('0');
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

test('the bundled handler fetches the JWKS over https: the certificate is checked against the trusted CAs and the host', async () => {
  // Two throwaway certificates, both trusted by the handler's process through NODE_EXTRA_CA_CERTS: one for 127.0.0.1,
  // one for another name only.
  const certificate = (name: string, san: string): { key: Buffer; cert: Buffer } => {
    const [keyFile, certFile] = [join(outdir, `${name}-key.pem`), join(outdir, `${name}-cert.pem`)];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
      '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  };
  const loopback = certificate('127.0.0.1', 'IP:127.0.0.1');
  const other = certificate('idp.example.com', 'DNS:idp.example.com');
  const caFile = join(outdir, 'trusted.pem');
  writeFileSync(caFile, Buffer.concat([loopback.cert, other.cert]));
  type Served = { https: Server; port: number; served: () => number; connections: () => number };
  const serve = async (tls: { key: Buffer; cert: Buffer }): Promise<Served> => {
    let [served, connections] = [0, 0];
    const https = createHttpsServer(tls, (_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    https.on('connection', () => connections++);
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    return { https, port: (https.address() as AddressInfo).port, served: () => served, connections: () => connections };
  };
  const right = await serve(loopback);
  const wrong = await serve(other);
  try {
    const decide = (port: number): Promise<{ outcomes: string[]; reasons: string[] }> => {
      const issuer = `https://127.0.0.1:${port}`;
      return runBundled(baseConfig(issuer, `${issuer}/jwks`), [bearer(signJwt(key, claims(issuer)))], { NODE_EXTRA_CA_CERTS: caFile });
    };
    expect(await decide(right.port)).toEqual({ outcomes: ['Allow:acme:'], reasons: ['allowed'] });
    expect(right.served()).toBeGreaterThanOrEqual(1);
    // A trusted certificate that does not name the host: the connection is made, no request is sent, and without keys
    // the token is refused.
    expect(await decide(wrong.port)).toEqual({ outcomes: ['throw:Unauthorized'], reasons: ['jwks_unavailable'] });
    expect(wrong.connections()).toBeGreaterThanOrEqual(1);
    expect(wrong.served()).toBe(0);
  } finally {
    right.https.close();
    wrong.https.close();
  }
});
