// The CLI behaves like gh, aws and kubectl: --version, `help <cmd>`, required options marked and every problem reported
// at once, unknown options refused by name, input checked against the spec, the failing service named with its cause,
// an environment default for --platform, table headers, a command that writes the spec file, and a CI gate in `report`.
// Keys are never lost: a stored key is always shown, and a rotation shows the new key before the old one expires.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { expectOneLineError, ON, SPEC, TABLE, World } from './helpers';
import { hashApiKey, ItemKeys } from '../../lib/authorizer';
import { ExitCode } from '../../lib/cli/main';
import { DEFAULT_REVOCATION_BOUND_SECONDS } from '../../lib/spec/contracts/identity';

const world = new World();
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sap-conv-'));
  dirs.push(d);
  return d;
};
const root = join(__dirname, '..', '..');

beforeAll(async () => {
  await world.start();
  const add = await world.cli(['tenant', 'add', 'acme', '--plan', 'standard', '--contact', 'ops@acme.example', ...SPEC, '--no-metering', ...ON]);
  expect(add.stderr).toBe('');
});
afterAll(async () => {
  await world.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('conventions', () => {
  test('--version prints the package version and exits 0; `help key` and `help key issue` exit 0', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const v = await world.cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim().startsWith(pkg.version)).toBe(true);
    for (const argv of [['help', 'key'], ['help', 'key', 'issue'], ['key', 'issue', '--help']]) {
      const h = await world.cli(argv);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Usage: secure-api-platform key/);
    }
  });

  test('help marks the required options', async () => {
    const h = await world.cli(['help', 'key', 'issue']);
    expect(h.stdout).toMatch(/--tenant <tenantId>\s+the tenant the key acts for \(required\)/);
    expect(h.stdout).toMatch(/--scopes <scopes>[\s\S]*?\(required\)\n\s+--spec/);
    expect(h.stdout).not.toMatch(/--expires-in.*\(required\)/);
  });

  test('every problem is reported at once: a missing required option, a malformed duration and an undeclared scope', async () => {
    const r = await world.cli(['key', 'issue', '--scopes', 'ordrs:raed,*', '--expires-in', 'soon', ...SPEC, ...ON]);
    expect(r.code).toBe(ExitCode.USAGE);
    expectOneLineError(r.stderr, /3 problems: \(1\) required option '--tenant <tenantId>' not specified; \(2\) --scopes "ordrs:raed", "\*" are not declared by the spec .* its scopes are orders:read, orders:write; \(3\) --expires-in must be a duration/);
  });

  test('a misspelt option is refused by its name, not reported as a missing required option', async () => {
    const r = await world.cli(['tenant', 'add', 'globex', '--plna', 'standard', '--contact', 'a@globex.example', ...SPEC, ...ON]);
    expect(r.code).toBe(ExitCode.USAGE);
    expectOneLineError(r.stderr, /unknown option '--plna'/);
    expect(r.stderr).not.toMatch(/required option/);
  });

  test('plans are checked against the spec file', async () => {
    const r = await world.cli(['tenant', 'add', 'globex', '--plan', 'gold', '--contact', 'a@globex.example', ...SPEC, '--no-metering', ...ON]);
    expect(r.code).toBe(ExitCode.USAGE);
    expectOneLineError(r.stderr, /unknown plan "gold": the platform's plans are standard, premium/);
  });

  test('SECURE_API_PLATFORM_NAME is the default of --platform; lists have a header row', async () => {
    process.env.SECURE_API_PLATFORM_NAME = 'orders';
    try {
      const r = await world.cli(['tenant', 'list', '--region', 'eu-west-1']);
      expect(r.code).toBe(0);
      const [header, row] = r.stdout.split('\n');
      expect(header).toMatch(/^TENANT\s+PLAN\s+STATUS\s+CONTACT$/);
      expect(row).toMatch(/^acme\s+standard\s+enabled\s+ops@acme\.example$/);
    } finally {
      delete process.env.SECURE_API_PLATFORM_NAME;
    }
  });

  test('a network error names the failing service and its cause', async () => {
    const dead = new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const r = await world.cli(['tenant', 'list', ...ON], { dynamodb: () => dead });
    dead.destroy();
    expect(r.code).toBe(ExitCode.AWS);
    expectOneLineError(r.stderr, /DynamoDB \(table orders-platform\) unreachable: network error \(ECONNREFUSED\): .*connect ECONNREFUSED 127\.0\.0\.1:1/);
  });
});

describe('token revoke states the revocation bound the README states', () => {
  test('one figure, from the identity contract', async () => {
    const r = await world.cli(['token', 'revoke', 'jti-bound', '--actor', 'test', ...ON]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`within the platform's revocation bound (${DEFAULT_REVOCATION_BOUND_SECONDS} s with the default caches`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`within the revocation bound printed at synth (${DEFAULT_REVOCATION_BOUND_SECONDS} s by default)`);
  });
});

describe('spec write: the spec file the other commands read', () => {
  test('from a module exporting the spec: validated, written as JSON, then read by key issue and tenant add', async () => {
    const dir = tmp();
    const module = join(dir, 'spec.js');
    writeFileSync(module, `module.exports.platformSpec = ${JSON.stringify({
      name: 'orders',
      regions: { primary: 'eu-west-1' },
      compliance: ['PCI_DSS'],
      identity: { userPool: { mfa: 'required' } },
      plans: { standard: { rate: 10, burst: 20, dailyQuota: 1000 } },
      apis: [{ name: 'orders', version: 'v1', scopes: { 'orders:read': 'Read orders' }, routes: [{ method: 'GET', path: '/orders/{id}', scopes: ['orders:read'] }] }],
    })};\n`);
    const out = join(dir, 'platform.json');
    const w = await world.cli(['spec', 'write', module, '--out', out, '--json']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(w.json()).toMatchObject({ platform: 'orders', plans: ['standard'], scopes: ['orders:read'], regions: ['eu-west-1'] });
    const issued = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', '--spec', out, ...ON, '--json']);
    expect(issued.code).toBe(0);
    const refused = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:write', '--spec', out, ...ON]);
    expectOneLineError(refused.stderr, /--scopes "orders:write" is not declared by the spec/);
  });

  test('an invalid spec is refused with the spec\'s own problems; the example app\'s TypeScript spec is written through tsx', () => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'X', plans: {}, apis: [] }));
    const cli = (args: string[]) => spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'lib', 'cli', 'main.ts'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    const r = cli(['spec', 'write', bad]);
    expect(r.status).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^error: Invalid platform spec \(\d+ problems?\)/);
    const ok = cli(['spec', 'write', join(root, 'examples', 'spec.ts'), '--export', 'exampleSpec']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'platform.json'), 'utf8')) as { name: string; plans: Record<string, unknown> };
    expect(written.name).toBe('orders');
    expect(Object.keys(written.plans).length).toBeGreaterThan(0);
  });
});

describe('report gates CI', () => {
  function evidence(results: Array<{ status: string; level: string }>): string {
    const dir = tmp();
    mkdirSync(join(dir, 'compliance'));
    writeFileSync(join(dir, 'compliance', 'evidence.json'), JSON.stringify({
      schemaVersion: 1,
      generatedAt: '2026-01-01T00:00:00.000Z',
      tool: { name: 'secure-api-platform', version: '0.0.0' },
      profiles: ['PCI_DSS'],
      minimums: { auditRetentionYears: 1, logRetentionDays: 365, minTlsVersion: '1.2', basis: 'PCI DSS 10.5.1' },
      publicRoutes: [],
      packs: [{ name: 'SecureApi', rules: [{ id: 'SecureApi-StageWebAcl', pack: 'SecureApi', info: 'Stage has no WAF', explanation: 'WAF', level: 'error', controls: { pci: ['6.4.2'] }, notApplicable: 0 }] }],
      results: results.map((r, i) => ({
        pack: 'SecureApi',
        ruleId: 'SecureApi-StageWebAcl',
        rule: 'SecureApi-StageWebAcl',
        status: r.status,
        level: r.level,
        constructPath: `Api/Stage${i}/Resource`,
        resourceType: 'AWS::ApiGateway::Stage',
        logicalId: `Stage${i}`,
        stack: 'Api',
        template: 'Api.template.json',
      })),
      acknowledgments: [],
      stacks: [{ path: 'Api', template: 'Api.template.json' }],
    }));
    return dir;
  }

  test('an unacknowledged finding: one FAIL verdict line, exit 1; --fail-on raises the threshold', async () => {
    const dir = evidence([{ status: 'fail', level: 'warning' }, { status: 'pass', level: 'error' }]);
    const r = await world.cli(['report', '--cdk-out', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`compliance: FAIL: 1 unacknowledged finding (1 warning); 0 acknowledged; 1 passed in 1 stack; report: ${join(dir, 'compliance', 'compliance-report.html')}\n`);
    const errorsOnly = await world.cli(['report', '--cdk-out', dir, '--fail-on', 'error']);
    expect(errorsOnly.code).toBe(0);
    expect(errorsOnly.stdout).toMatch(/^compliance: PASS: 1 unacknowledged finding \(1 warning\), 0 at or above error;/);
    const never = await world.cli(['report', '--cdk-out', dir, '--fail-on', 'never', '--json']);
    expect(never.code).toBe(0);
    expect(never.json()).toMatchObject({ ok: true, findings: { warning: 1 }, failOn: 'never' });
    const bad = await world.cli(['report', '--cdk-out', dir, '--fail-on', 'sometimes']);
    expect(bad.code).toBe(ExitCode.USAGE);
  });

  test('no findings: PASS, exit 0', async () => {
    const r = await world.cli(['report', '--cdk-out', evidence([{ status: 'pass', level: 'error' }])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^compliance: PASS: 0 unacknowledged findings; 0 acknowledged; 1 passed in 1 stack; report: /);
  });
});

describe('doctor passes only on checks it ran', () => {
  test('a cloud assembly whose issuer and table are known only at deploy: nothing checked, exit 1', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'assembly-Orders'));
    writeFileSync(join(dir, 'assembly-Orders', 'Orders.template.json'), JSON.stringify({
      Resources: {
        Authorizer: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                AUTHORIZER_CONFIG: { 'Fn::Join': ['', ['{"issuers":[{"issuer":"https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: 'Pool' }, '"}],"tableName":"', { Ref: 'Table' }, '"}']] },
              },
            },
          },
        },
      },
    }));
    const r = await world.cli(['doctor', '--cdk-out', dir, '--json']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.json()).toMatchObject({ ok: false, passed: 0, failed: 0, verdict: expect.stringMatching(/^nothing was checked/) });
  });
});

describe('keys are never lost', () => {
  test('key issue: the audit line after the hash fails: the key is still shown (and works), the pending line was written first', async () => {
    const writes: string[] = [];
    const r = await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON, '--json'], {
      audit: () => ({
        prepare: async () => undefined,
        write: async (e) => {
          writes.push(e.action);
          if (e.action === 'key.issue') throw new Error('log stream deleted meanwhile');
        },
      }),
    });
    expect(r.code).not.toBe(0);
    expect(writes).toEqual(['key.issue.pending', 'key.issue']);
    // The result (with the key), then the error: two JSON documents on stdout.
    const { apiKey } = JSON.parse(r.stdout.split('\n{"error"')[0]) as { apiKey: string };
    expect(apiKey).toMatch(/^sap_/);
    const k = ItemKeys.apiKey(hashApiKey(apiKey));
    const item = await world.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: k.pk }, sk: { S: k.sk } } }));
    expect(item.Item?.disabled?.BOOL).toBe(false);
  });

  test('key rotate --grace 0: the new key is shown before the old one is expired; if expiring fails, both stay valid', async () => {
    const first = (await world.cli(['key', 'issue', '--tenant', 'acme', '--scopes', 'orders:read', ...SPEC, ...ON, '--json'])).json<{ keyId: string; apiKey: string }>();
    // A table that refuses the update that ends the old key's life.
    const failing = new Proxy(world.client, {
      get(t, prop, receiver) {
        if (prop === 'send') {
          return async (cmd: unknown) => {
            if (cmd instanceof UpdateItemCommand) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
            return t.send(cmd as never);
          };
        }
        return Reflect.get(t, prop, receiver) as unknown;
      },
    });
    const r = await world.cli(['key', 'rotate', first.keyId, '--grace', '0', ...ON], { dynamodb: () => failing });
    expect(r.code).toBe(ExitCode.AWS);
    const shown = /^(sap_\S+)$/m.exec(r.stdout)?.[1];
    expect(shown).toBeDefined();
    expectOneLineError(r.stderr, new RegExp(`is issued and valid \\(shown above\\), but ${first.keyId} could not be set to expire .*key revoke ${first.keyId}`));
    for (const key of [first.apiKey, shown!]) {
      const k = ItemKeys.apiKey(hashApiKey(key));
      const item = await world.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: k.pk }, sk: { S: k.sk } } }));
      expect(item.Item?.disabled?.BOOL).toBe(false);
      expect(Number(item.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
    }
  });
});
