/**
 * Authorizer benchmark: full decision vs the raw node:crypto signature verify of the same distinct tokens (the
 * floor), Cedar decision time, cold start (module load + first decision, fresh child process, with and without
 * Cedar, with a breakdown), bundle size. Figures are ratios to baselines measured in this same run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthorizerConfig, AuthorizerEvent, createAuthorizer, MemoryAuthorizerStore } from '../lib/authorizer';
import { CedarContext } from '../lib/authorizer/cedar';
import { WasmCedarPolicies } from '../lib/authorizer/cedar/wasm';
import { DynamoDbAuthorizerStore } from '../lib/authorizer/stores/dynamodb';
import { createTable, startDynalite } from '../test/support/dynalite';

const root = join(__dirname, '..');
const TOKENS = 2000;
const ROUNDS = 15;
const COLD_RUNS = 7;
const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

interface Signer { kid: string; alg: 'RS256' | 'ES256'; privateKey: KeyObject; publicKey: KeyObject }

function signer(alg: 'RS256' | 'ES256'): Signer {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: `${alg}-1`, alg, ...pair };
}

function token(s: Signer, issuer: string, i: number): string {
  const t = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: s.alg, typ: 'at+jwt', kid: s.kid }))}.${b64url(JSON.stringify({
    iss: issuer,
    sub: `user-${i}`,
    aud: 'urn:api:orders',
    iat: t,
    exp: t + 3600,
    scope: 'orders:read orders:write',
    tenant_id: 'acme',
    jti: randomUUID(),
    client_id: 'bench-client',
  }))}`;
  const sig = sign('sha256', Buffer.from(input), s.alg === 'ES256' ? { key: s.privateKey, dsaEncoding: 'ieee-p1363' } : s.privateKey);
  return `${input}.${b64url(sig)}`;
}

function event(jwt: string): AuthorizerEvent {
  return {
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/orders/42',
    resource: '/orders/{id}',
    path: '/orders/42',
    httpMethod: 'GET',
    headers: { 'Authorization': `Bearer ${jwt}`, 'Host': 'api.example.com', 'User-Agent': 'bench', 'Accept': 'application/json', 'X-Forwarded-For': '203.0.113.7' },
    multiValueHeaders: null,
    pathParameters: { id: '42' },
    requestContext: { requestId: randomUUID(), identity: { sourceIp: '203.0.113.7' } },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const fmtUs = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;
const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;
const row = (label: string, value: string, extra = ''): void => console.log(`  ${label.padEnd(58)} ${value.padStart(10)}  ${extra}`);

function examplePolicies(): string {
  const dir = join(root, 'examples', 'policies');
  return readdirSync(dir).filter((f) => f.endsWith('.cedar')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

/** Verify floor: node:crypto verify of each distinct token's signing input, nothing else. */
function floorRound(s: Signer, tokens: string[]): number {
  const started = process.hrtime.bigint();
  for (const t of tokens) {
    const dot = t.lastIndexOf('.');
    const ok = verify('sha256', Buffer.from(t.slice(0, dot)), s.alg === 'ES256' ? { key: s.publicKey, dsaEncoding: 'ieee-p1363' } : s.publicKey,
      Buffer.from(t.slice(dot + 1), 'base64url'));
    if (!ok) throw new Error('floor verify failed');
  }
  return Number(process.hrtime.bigint() - started) / tokens.length;
}

async function decisionRound(authorize: ReturnType<typeof createAuthorizer>, events: AuthorizerEvent[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const e of events) {
    const r = await authorize(e);
    if (r.policyDocument.Statement[0].Effect !== 'Allow') throw new Error('bench decision was not an allow');
  }
  return Number(process.hrtime.bigint() - started) / events.length;
}

async function hotPath(): Promise<void> {
  const issuer = 'https://idp.bench.example.com';
  const rs = signer('RS256');
  const es = signer('ES256');
  const jwks = Buffer.from(JSON.stringify({ keys: [rs, es].map((s) => ({ ...s.publicKey.export({ format: 'jwk' }), kid: s.kid, alg: s.alg, use: 'sig' })) }));
  const store = new MemoryAuthorizerStore();
  store.tenants.set('acme', { tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
  let logBytes = 0;
  let lastLine = '';
  const config = (policies?: string): AuthorizerConfig => ({
    issuers: [{ issuer, jwksUri: `${issuer}/jwks`, audience: ['urn:api:orders'], algorithms: ['RS256', 'ES256'] }],
    routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
    policies,
  });
  const deps = {
    stores: { revocations: store, tenants: store },
    jwksFetcher: async () => jwks,
    log: (line: string) => {
      logBytes += line.length;
      lastLine = line;
    },
  };
  const authorize = createAuthorizer(config(), deps);
  const policies = examplePolicies();
  const withCedar = createAuthorizer(config(policies), deps);

  console.log(`  tokens: ${TOKENS} distinct per algorithm, ${ROUNDS} interleaved rounds; store: in-memory (revocation + tenant cache hits)`);
  const rsTokens = Array.from({ length: TOKENS }, (_, i) => token(rs, issuer, i));
  const esTokens = Array.from({ length: TOKENS }, (_, i) => token(es, issuer, i));
  const rsEvents = rsTokens.map(event);
  const esEvents = esTokens.map(event);
  // Warm-up pass: JWKS cached, revocation and tenant caches filled for these jtis (the measured state: cache hits).
  await decisionRound(authorize, rsEvents);
  await decisionRound(authorize, esEvents);
  await decisionRound(withCedar, rsEvents);
  const cedarEvents = rsEvents;

  const f: Record<string, number[]> = { rsFloor: [], rsFull: [], esFloor: [], esFull: [], cedarFull: [] };
  for (let r = 0; r < ROUNDS; r++) {
    f.rsFloor.push(floorRound(rs, rsTokens));
    f.rsFull.push(await decisionRound(authorize, rsEvents));
    f.esFloor.push(floorRound(es, esTokens));
    f.esFull.push(await decisionRound(authorize, esEvents));
    f.cedarFull.push(await decisionRound(withCedar, cedarEvents));
  }
  // Rounds are interleaved, so each ratio compares measurements taken seconds apart under the same machine load;
  // the ratio reported is the median of the per-round ratios, the absolute figure the fastest round (least disturbed).
  const ratio = (a: number[], b: number[]): string => median(a.map((x, i) => x / b[i])).toFixed(2);
  const min = (xs: number[]): number => Math.min(...xs);
  const rsFloor = min(f.rsFloor);
  row('RS256 floor: node:crypto verify (baseline)', fmtUs(rsFloor), '1.00x');
  row('RS256 full decision (parse, verify, claims, scopes, caches, log)', fmtUs(min(f.rsFull)), `${ratio(f.rsFull, f.rsFloor)}x floor  (target <= 1.30x)`);
  row('ES256 floor: node:crypto verify (baseline)', fmtUs(min(f.esFloor)), '1.00x');
  row('ES256 full decision', fmtUs(min(f.esFull)), `${ratio(f.esFull, f.esFloor)}x floor`);
  row('RS256 full decision + Cedar (example policies)', fmtUs(min(f.cedarFull)), `${ratio(f.cedarFull, f.rsFloor)}x RS256 floor`);
  row('  of which the decision log line (serialize), per decision', `${(logBytes / ((ROUNDS * 3 + 3) * TOKENS)).toFixed(0)} B`, '');

  // Overheads measured separately, each against the same floor.
  const fd = openSync('/dev/null', 'w');
  const writes = Array.from({ length: 5 }, () => {
    const s = process.hrtime.bigint();
    for (let i = 0; i < TOKENS; i++) writeSync(fd, `${lastLine}\n`);
    return Number(process.hrtime.bigint() - s) / TOKENS;
  });
  closeSync(fd);
  row('  writing that line to a file descriptor (excluded above)', fmtUs(min(writes)), `${(min(writes) / rsFloor).toFixed(2)}x floor`);

  // Cedar alone, pre-parsed policies, attributes as context.
  const cedar = new WasmCedarPolicies(policies);
  const ctx: CedarContext = {
    tenant: 'acme',
    authMethod: 'jwt',
    issuer,
    subject: 'user-1',
    clientId: 'bench-client',
    scopes: ['orders:read', 'orders:write'],
    groups: ['admins'],
    roles: [],
    amr: ['pwd', 'otp'],
    mfa: true,
    params: { tenantId: 'acme', id: '1' },
    route: 'GET /tenants/{tenantId}/orders/{id}',
    sourceIp: '10.1.2.3',
    certificateBound: false,
    mtls: false,
    time: Math.floor(Date.now() / 1000),
    hourUtc: 12,
    dayOfWeekUtc: 3,
  };
  const request = { principal: { type: 'User', id: 'user-1' }, action: 'GET /tenants/{tenantId}/orders/{id}', resource: '/tenants/acme/orders/1', context: ctx };
  if (!cedar.isAuthorized(request).allowed) throw new Error('bench Cedar request not allowed');
  // Before per-action subsets: the whole set, with the union of the attributes every policy reads.
  const union = new WasmCedarPolicies(policies, { perAction: false });
  const allKeys = new WasmCedarPolicies(`${policies}\n// context == {} keeps every attribute\nforbid(principal, action, resource) when { context == {} };`, { perAction: false });
  const cedarRound = (engine: WasmCedarPolicies): number => {
    const s = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) engine.isAuthorized(request);
    return Number(process.hrtime.bigint() - s) / 1000;
  };
  for (let i = 0; i < 500; i++) {
    cedar.isAuthorized(request);
    union.isAuthorized(request);
    allKeys.isAuthorized(request);
  }
  const c: Record<string, number[]> = { floor: [], pruned: [], union: [], full: [] };
  for (let r = 0; r < ROUNDS; r++) {
    c.floor.push(floorRound(rs, rsTokens.slice(0, 500)));
    c.pruned.push(cedarRound(cedar));
    c.union.push(cedarRound(union));
    c.full.push(cedarRound(allKeys));
  }
  const applying = cedar.policiesFor(request.action)?.length ?? '?';
  row(`Cedar decision, pre-parsed, per action: ${applying} policies, ${cedar.contextKeysFor(request.action).length} attributes`, fmtUs(min(c.pruned)),
    `${ratio(c.pruned, c.floor)}x RS256 floor  (target < 60 µs; 60/41 = 1.46x floor there)`);
  row(`Cedar decision, whole set, ${union.contextKeys.length} attributes (union)`, fmtUs(min(c.union)), `${ratio(c.union, c.floor)}x RS256 floor`);
  row('Cedar decision, whole set, all 18 context attributes sent', fmtUs(min(c.full)), `${ratio(c.full, c.floor)}x RS256 floor`);
}

const run$ = promisify(execFile);

/** An HTTPS JWKS server on 127.0.0.1 with a throwaway self-signed certificate (openssl CLI); undefined without openssl. */
function httpsJwksServer(dir: string, body: string): { server: HttpsServer; issuer: string; caFile: string; listening: Promise<void> } | undefined {
  const keyFile = join(dir, 'tls-key.pem');
  const caFile = join(dir, 'tls-cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) },
    (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  let issuer = '';
  const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
    issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
  return { server, caFile, listening, get issuer() { return issuer; } };
}

/** Cold start in fresh processes: module load + first decision, with and without Cedar, with a breakdown. */
async function coldStart(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'authorizer-bench-'));
  const key = signer('RS256');
  const jwks = JSON.stringify({ keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'RS256', use: 'sig' }] });
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'bundle-authorizer.mjs'), '--outdir', outdir], { cwd: root });
    const size = statSync(join(outdir, 'index.js')).size;
    const wasm = statSync(join(outdir, 'node_modules', '@cedar-policy', 'cedar-wasm', 'nodejs', 'cedar_wasm_bg.wasm')).size;
    row('Bundle: index.js (minified CJS)', `${(size / 1024).toFixed(1)} KB`, `${(size / (60 * 1024)).toFixed(2)}x the 60 KB budget`);
    row('Bundle: Cedar wasm shipped beside it', `${(wasm / 1024 / 1024).toFixed(2)} MB`, '');
    row('Bundle: AWS SDK DynamoDB client beside it (loaded with a table)', `${(statSync(join(outdir, 'aws-sdk-dynamodb.js')).size / 1024).toFixed(0)} KB`, '');

    // Timed with process.hrtime: the `performance` global would load perf_hooks (~2 ms) before the measured window.
    writeFileSync(join(outdir, 'cold.js'), `
      const now = () => Number(process.hrtime.bigint()) / 1e6;
      const boot = process.uptime() * 1000;
      const lines = []; const out = process.stdout.write.bind(process.stdout);
      process.stdout.write = (c) => { lines.push(String(c)); return true; };
      const b0 = now(); require('https'); require('crypto'); require('http'); const b1 = now();
      const { handler } = require('./index.js'); const l1 = now();
      handler(JSON.parse(process.env.BENCH_EVENT)).then((r) => {
        const d1 = now();
        const fetched = lines.map((l) => { try { return JSON.parse(l); } catch { return {}; } }).find((l) => l.message === 'JWKS fetched');
        out(JSON.stringify({ boot, builtins: b1 - b0, load: l1 - b1, first: d1 - l1, jwks: fetched ? fetched.latencyMs : NaN, effect: r.policyDocument.Statement[0].Effect }) + '\\n');
      });
    `);
    writeFileSync(join(outdir, 'cedar.js'), `
      const t0 = performance.now(); const cedar = require('@cedar-policy/cedar-wasm/nodejs'); const t1 = performance.now();
      const r = cedar.preparsePolicySet('p', { staticPolicies: process.env.BENCH_POLICIES }); const t2 = performance.now();
      if (r.type !== 'success') throw new Error(JSON.stringify(r));
      cedar.statefulIsAuthorized({ principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'GET /orders/{id}' }, resource: { type: 'Path', id: '/orders/1' },
        context: { scopes: ['orders:read'], tenant: 'acme', params: {}, route: 'GET /orders/{id}', mfa: false, authMethod: 'jwt', sourceIp: '10.0.0.1', clientId: '', subject: 'u',
        groups: [], roles: [], certificateBound: false }, preparsedPolicySetId: 'p', entities: [] }); const t3 = performance.now();
      process.stdout.write(JSON.stringify({ load: t1 - t0, parse: t2 - t1, first: t3 - t2 }) + '\\n');
    `);
    const baseConfig: AuthorizerConfig = {
      issuers: [{ issuer, jwksUri: `${issuer}/jwks`, audience: ['urn:api:orders'] }],
      routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
      revocation: { enabled: false },
      tenants: { enabled: false },
    };
    const policies = examplePolicies();
    const bare = async (): Promise<number> => {
      const s = performance.now();
      await run$(process.execPath, ['-e', '0']);
      return performance.now() - s;
    };
    type Variant = { config: Partial<AuthorizerConfig>; env: Record<string, string>; issuer?: string };
    const child = async (policiesText?: string, production?: Variant): Promise<Record<string, number>> => {
      const s = performance.now();
      const { stdout } = await run$(process.execPath, [join(outdir, 'cold.js')], {
        cwd: outdir,
        env: {
          PATH: process.env.PATH,
          AUTHORIZER_CONFIG: JSON.stringify({ ...baseConfig, policies: policiesText, ...production?.config }),
          BENCH_EVENT: JSON.stringify(event(token(key, production?.issuer ?? issuer, 1))),
          ...production?.env,
        },
      });
      const { effect, ...phases } = JSON.parse(stdout) as Record<string, number> & { effect: string };
      if (effect !== 'Allow') throw new Error(`cold start decision: ${stdout}`);
      return { ...phases, wall: performance.now() - s };
    };
    // The platform's configuration: revocation and tenants in DynamoDB (dynalite on loopback; the SDK's DynamoDB client
    // is the one bundled beside the handler). The first decision reads the revocation list and the tenant.
    const db = await startDynalite();
    await createTable(db.client, 'bench-authorizer', 'pk', 'sk');
    await new DynamoDbAuthorizerStore({ tableName: 'bench-authorizer', client: db.client }).putTenant({ tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    const production = {
      config: { tableName: 'bench-authorizer', revocation: { enabled: true }, tenants: { enabled: true } },
      env: {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      },
    };
    // The same JWT-only authorizer with its JWKS over HTTPS, as in production (loopback; a throwaway self-signed
    // certificate trusted through NODE_EXTRA_CA_CERTS): adds TLS's first use and a handshake. Needs the openssl CLI.
    const tls = httpsJwksServer(outdir, jwks);
    if (tls) await tls.listening;
    const httpsVariant: Variant | undefined = tls && {
      issuer: tls.issuer,
      config: { issuers: [{ issuer: tls.issuer, jwksUri: `${tls.issuer}/jwks`, audience: ['urn:api:orders'] }] },
      env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    };
    const httpsRuns: Array<Record<string, number>> = [];
    const bares: number[] = [];
    const plain: Array<Record<string, number>> = [];
    const prodRuns: Array<Record<string, number>> = [];
    const cedarRuns: Array<Record<string, number>> = [];
    const cedarParts: Array<Record<string, number>> = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      bares.push(await bare());
      plain.push(await child());
      prodRuns.push(await child(undefined, production));
      if (httpsVariant) httpsRuns.push(await child(undefined, httpsVariant));
      cedarRuns.push(await child(policies));
      const { stdout } = await run$(process.execPath, [join(outdir, 'cedar.js')], { cwd: outdir, env: { PATH: process.env.PATH, BENCH_POLICIES: policies } });
      cedarParts.push(JSON.parse(stdout) as Record<string, number>);
    }
    // Fastest of the runs per phase: the least disturbed by other work on the machine.
    await db.stop();
    tls?.server.close();
    const m = (runs: Array<Record<string, number>>, k: string): number => Math.min(...runs.map((r) => r[k]));
    const total = (r: Record<string, number>): number => r.builtins + r.load + r.first;
    const bareMs = Math.min(...bares);
    // The fastest process (the least disturbed by other work on the machine) and the median one; phases: fastest each.
    const plainCold = Math.min(...plain.map(total));
    const prodCold = Math.min(...prodRuns.map(total));
    const cedarCold = Math.min(...cedarRuns.map(total));
    console.log(`  cold start: ${COLD_RUNS} fresh processes each; JWKS served over loopback http by this process`);
    row('Bare node process, spawn to exit (baseline)', fmtMs(bareMs), '1.00x');
    row('Cold start without Cedar (module load + first decision)', fmtMs(plainCold), `${(plainCold / bareMs).toFixed(2)}x bare node  (target < 30 ms)`);
    row('  node boot before the handler module (not counted)', fmtMs(m(plain, 'boot')), '');
    row('  node:https/crypto/http built-ins', fmtMs(m(plain, 'builtins')), '');
    row('  bundle load + createAuthorizer (config, JWKS cache, log)', fmtMs(m(plain, 'load')), '');
    row('  first decision', fmtMs(m(plain, 'first')), '');
    row('  same, median process', fmtMs(median(plain.map(total))), `${(median(plain.map(total)) / bareMs).toFixed(2)}x bare node`);
    // The fetch starts inside createAuthorizer (init) and completes during the first decision, so it spans both phases.
    row('  JWKS fetch, started at init (loopback http)', fmtMs(m(plain, 'jwks')), '');
    row('  everything else (median total minus the fetch)', fmtMs(median(plain.map((r) => r.builtins + r.load + r.first - r.jwks))), '');
    if (httpsRuns.length > 0) {
      const httpsCold = Math.min(...httpsRuns.map(total));
      row('Cold start without Cedar, JWKS over HTTPS (loopback TLS)', fmtMs(httpsCold), `${(httpsCold / bareMs).toFixed(2)}x bare node  (median ${fmtMs(median(httpsRuns.map(total)))})`);
    } else {
      row('Cold start without Cedar, JWKS over HTTPS', 'skipped', '(no openssl CLI to make a test certificate)');
    }
    row('Cold start, platform config (revocation + tenants in DynamoDB)', fmtMs(prodCold), `${(prodCold / bareMs).toFixed(2)}x bare node  (median ${fmtMs(median(prodRuns.map(total)))})`);
    row('  bundle load + createAuthorizer incl. loading the DynamoDB client', fmtMs(m(prodRuns, 'load')), '');
    row('  first decision incl. two DynamoDB reads (loopback)', fmtMs(m(prodRuns, 'first')), '');
    row('Cold start with Cedar (example policies)', fmtMs(cedarCold), `${(cedarCold / bareMs).toFixed(2)}x bare node  (target < 250 ms)`);
    row('  bundle load + createAuthorizer incl. Cedar load and parse', fmtMs(m(cedarRuns, 'load')), '');
    row('  first decision incl. first Cedar evaluation', fmtMs(m(cedarRuns, 'first')), '');
    row('  Cedar alone: wasm load (separate process)', fmtMs(m(cedarParts, 'load')), '');
    row('  Cedar alone: preparse of the whole example set (cold starts parse only their routes\' subsets)', fmtMs(m(cedarParts, 'parse')), '');
    row('  Cedar alone: first evaluation', fmtMs(m(cedarParts, 'first')), '');
  } finally {
    server.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Entry point for bench/run.ts. */
export async function run(): Promise<void> {
  console.log('Hot path');
  await hotPath();
  console.log('Cold start and bundle');
  await coldStart();
}
