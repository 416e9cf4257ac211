// The bundle built ahead of synth loads and decides from its own folder (Cedar engine beside it), in a fresh
// process with nothing but the asset: no repository node_modules on the resolution path.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseConfig, bearer, claims, JwksServer, rsaKey, signJwt, TestKey } from './helpers';

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
  const script = join(outdir, 'run.js');
  writeFileSync(script, `
    const { handler } = require('./index.js');
    const events = JSON.parse(process.argv[2]);
    (async () => {
      const out = [];
      for (const e of events) {
        try { const r = await handler(e); out.push(r.policyDocument.Statement[0].Effect + ':' + (r.context ? r.context.tenantId : '')); }
        catch (err) { out.push('throw:' + err.message); }
      }
      process.stderr.write(JSON.stringify(out));
    })();
  `);
  const { stdout, stderr } = await run(process.execPath, [script, JSON.stringify(events)], {
    cwd: outdir, env: { PATH: process.env.PATH, AUTHORIZER_CONFIG: JSON.stringify(config), NODE_PATH: '' },
  });
  expect(JSON.parse(stderr)).toEqual(['Allow:acme', 'Deny:', 'throw:Unauthorized']);
  const reasons = stdout.trim().split('\n').map((l) => JSON.parse(l) as { Reason?: string }).filter((l) => l.Reason).map((l) => l.Reason);
  expect(reasons).toEqual(['allowed', 'policy_deny', 'expired']);
});
