// `report` (renderReports over a cloud assembly), `doctor` (issuer metadata, JWKS, table, clock skew, against a
// synthesized-style cdk.out and explicit flags) and `tenant add --spec` (multi-region metering).
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { expectOneLineError, ON, TABLE, World } from './helpers';
import { ExitCode } from '../../lib/cli/main';

const world = new World();
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sap-cli-'));
  dirs.push(d);
  return d;
};

/** A tiny OpenID provider on 127.0.0.1: metadata, JWKS, and a Date header the test can skew. */
class Issuer {
  server!: Server;
  dateOffsetMs = 0;
  metadataIssuer?: string;
  keys: unknown[] = [{ kty: 'RSA', kid: 'k1', use: 'sig', n: 'AQAB', e: 'AQAB' }];
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const headers = { 'content-type': 'application/json', 'date': new Date(Date.now() + this.dateOffsetMs).toUTCString() };
      if (req.url === '/.well-known/openid-configuration') {
        res.sendDate = false;
        res.writeHead(200, headers).end(JSON.stringify({ issuer: this.metadataIssuer ?? this.url, jwks_uri: `${this.url}/jwks` }));
      } else if (req.url === '/jwks') {
        res.writeHead(200, headers).end(JSON.stringify({ keys: this.keys }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
const issuer = new Issuer();

beforeAll(async () => {
  await world.start();
  await issuer.start();
});
afterAll(async () => {
  await issuer.stop();
  await world.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A cloud assembly shaped like `cdk synth` of the platform: the authorizer's config is a Fn::Join with a deploy-time Ref. */
function cdkOut(issuerUrl: string, table = TABLE): string {
  const dir = tmp();
  const config = {
    'Fn::Join': ['', [
      '{"issuers":[{"issuer":"https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: 'SsmParameterValueUserPoolId' },
      '","jwksUri":"https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: 'SsmParameterValueUserPoolId' }, '/.well-known/jwks.json","clientIds":["c"]},',
      `{"issuer":"${issuerUrl}","jwksUri":"${issuerUrl}/jwks","audience":["api://orders"]}],"routes":{"GET /orders/{id}":{}},"tableName":"${table}","clockSkewSeconds":30}`,
    ]],
  };
  const template = {
    Resources: {
      Authorizer: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { AUTHORIZER_CONFIG: config, NODE_OPTIONS: '--enable-source-maps' } } } },
      Backend: { Type: 'AWS::Lambda::Function', Properties: {} },
    },
  };
  mkdirSync(join(dir, 'assembly-Orders-Region'), { recursive: true });
  writeFileSync(join(dir, 'assembly-Orders-Region', 'Orders-Region-eu-west-1.template.json'), JSON.stringify(template));
  return dir;
}

interface DoctorOut {
  ok: boolean;
  checks: Array<{ check: string; target: string; status: string; detail: string }>;
}
const statuses = (out: DoctorOut): string[] => out.checks.map((c) => `${c.check}:${c.status}`);

describe('doctor', () => {
  test('a synthesized cdk.out: deploy-time issuer skipped, loopback issuer checked, table present', async () => {
    const r = await world.cli(['doctor', '--cdk-out', cdkOut(issuer.url), '--allow-insecure-loopback', '--region', 'eu-west-1', '--json']);
    const out = r.json<DoctorOut>();
    expect(statuses(out)).toEqual(['authorizer-config:ok', 'issuer-metadata:skip', 'issuer-metadata:ok', 'clock-skew:ok', 'jwks:ok', 'table:ok']);
    expect(out.checks[1].detail).toMatch(/resolved at deploy \(Ref SsmParameterValueUserPoolId\)/);
    expect(out.checks[4].detail).toMatch(/1 signing key\(s\): k1/);
    expect(r.code).toBe(ExitCode.OK);
  });

  test('production refuses non-https: without --allow-insecure-loopback the loopback issuer fails', async () => {
    const r = await world.cli(['doctor', '--issuer', issuer.url, '--json']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.json<DoctorOut>().checks).toEqual([expect.objectContaining({ check: 'issuer-https', status: 'fail', detail: expect.stringMatching(/only https is accepted/) })]);
    const plain = await world.cli(['doctor', '--issuer', 'http://idp.example.com']);
    expect(plain.stdout.split('\n')[0]).toMatch(/^STATUS\s+CHECK\s+TARGET\s+DETAIL$/);
    expect(plain.stdout).toMatch(/^fail\s+issuer-https\s+http:\/\/idp.example.com\s+issuer must use https/m);
  });

  test('metadata naming another issuer, clock skew, an empty JWKS and a missing table all fail', async () => {
    issuer.metadataIssuer = 'https://evil.example.com';
    issuer.dateOffsetMs = -10 * 60_000;
    issuer.keys = [];
    try {
      const r = await world.cli(['doctor', '--cdk-out', cdkOut(issuer.url, 'ghost-platform'), '--allow-insecure-loopback', '--region', 'eu-west-1', '--json']);
      expect(r.code).toBe(ExitCode.CHECK_FAILED);
      const out = r.json<DoctorOut>();
      expect(statuses(out)).toEqual(['authorizer-config:ok', 'issuer-metadata:skip', 'issuer-metadata:fail', 'clock-skew:fail', 'jwks:fail', 'table:fail']);
      expect(out.checks[2].detail).toMatch(/metadata names issuer "https:\/\/evil.example.com"/);
      expect(out.checks[3].detail).toMatch(/local clock is \+(59\d|60\d) s from the issuer's \(tolerated: 30 s\)/);
      expect(out.checks[5].detail).toMatch(/table ghost-platform not found/);
    } finally {
      issuer.metadataIssuer = undefined;
      issuer.dateOffsetMs = 0;
      issuer.keys = [{ kty: 'RSA', kid: 'k1', use: 'sig', n: 'AQAB', e: 'AQAB' }];
    }
  });

  test('an unreachable issuer fails its check with the cause, it does not crash the command', async () => {
    // A loopback port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await world.cli(['doctor', '--issuer', `http://127.0.0.1:${port}`, '--allow-insecure-loopback', '--timeout', '2s']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    // fetch's own message is only "fetch failed": its cause names the refused connection.
    expect(r.stdout).toMatch(new RegExp(`^fail\\s+issuer-metadata\\s+http://127.0.0.1:${port}\\s+GET .* failed: fetch failed \\(.*ECONNREFUSED`, 'm'));
  });

  test('usage errors', async () => {
    const nothing = await world.cli(['doctor']);
    expect(nothing.code).toBe(ExitCode.USAGE);
    expectOneLineError(nothing.stderr, /nothing to check: pass --cdk-out/);
    const missing = await world.cli(['doctor', '--cdk-out', join(tmpdir(), 'no-such-cdk-out')]);
    expect(missing.code).toBe(ExitCode.NOT_FOUND);
    const empty = await world.cli(['doctor', '--cdk-out', tmp()]);
    expect(empty.code).toBe(ExitCode.NOT_FOUND);
    expectOneLineError(empty.stderr, /no authorizer .* in /);
  });
});

describe('doctor: the API Gateway CloudWatch Logs role when the spec says it is managed elsewhere (moto_server)', () => {
  const TRUST = (service: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
  const specFile = (apiGatewayLogsRole: string): string => {
    const file = join(tmp(), 'platform.json');
    writeFileSync(file, JSON.stringify({ name: 'orders', plans: { standard: {} }, regions: { primary: 'eu-west-1', secondaries: ['eu-central-1'] }, observability: { apiGatewayLogsRole } }));
    return file;
  };
  const setRole = async (region: string, arn: string): Promise<void> => {
    await world.gateway(region).send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: arn }] }));
  };
  const logsRoleChecks = (out: DoctorOut): DoctorOut['checks'] => out.checks.filter((c) => c.check === 'apigateway-logs-role');

  test('fails in each region where no role is set, where the role is missing, or where API Gateway may not assume it', async () => {
    const r = await world.cli(['doctor', '--spec', specFile('managedElsewhere'), '--json']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(logsRoleChecks(r.json<DoctorOut>())).toEqual([
      { check: 'apigateway-logs-role', target: 'eu-west-1', status: 'fail', detail: expect.stringMatching(/^API Gateway in eu-west-1 has no CloudWatch Logs role \(GetAccount: cloudwatchRoleArn unset\): stages with logging fail to deploy; set it/) },
      { check: 'apigateway-logs-role', target: 'eu-central-1', status: 'fail', detail: expect.stringMatching(/^API Gateway in eu-central-1 has no CloudWatch Logs role/) },
    ]);

    const lambdaRole = await world.iam().send(new CreateRoleCommand({ RoleName: 'lambda-only', AssumeRolePolicyDocument: TRUST('lambda.amazonaws.com') }));
    await setRole('eu-west-1', lambdaRole.Role!.Arn!);
    await setRole('eu-central-1', lambdaRole.Role!.Arn!.replace('lambda-only', 'deleted-role'));
    const wrong = await world.cli(['doctor', '--spec', specFile('managedElsewhere'), '--json']);
    expect(wrong.code).toBe(ExitCode.CHECK_FAILED);
    expect(logsRoleChecks(wrong.json<DoctorOut>()).map((c) => c.detail)).toEqual([
      expect.stringMatching(/^role arn:aws:iam::\d{12}:role\/lambda-only does not let apigateway\.amazonaws\.com assume it/),
      expect.stringMatching(/^API Gateway in eu-central-1 names role arn:aws:iam::\d{12}:role\/deleted-role, which does not exist \(IAM GetRole: NoSuchEntity\)/),
    ]);
  });

  test('passes when each region names a role API Gateway may assume; not checked when the platform creates the role', async () => {
    const role = await world.iam().send(new CreateRoleCommand({ RoleName: 'apigw-logs', Path: '/platform/', AssumeRolePolicyDocument: TRUST('apigateway.amazonaws.com') }));
    await setRole('eu-west-1', role.Role!.Arn!);
    await setRole('eu-central-1', role.Role!.Arn!);
    const r = await world.cli(['doctor', '--spec', specFile('managedElsewhere'), '--json']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.json<DoctorOut>().checks).toEqual(['eu-west-1', 'eu-central-1'].map((region) => (
      { check: 'apigateway-logs-role', target: region, status: 'ok', detail: `${role.Role!.Arn!} exists and API Gateway may assume it` })));

    const own = await world.cli(['doctor', '--spec', specFile('platform')]);
    expect(own.code).toBe(ExitCode.USAGE);
    expectOneLineError(own.stderr, /nothing to check/);
  });
});

describe('report', () => {
  const evidence = {
    schemaVersion: 1,
    generatedAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'secure-api-platform', version: '0.0.0' },
    platform: 'orders',
    profiles: ['PCI_DSS'],
    minimums: { auditRetentionYears: 1, logRetentionDays: 365, minTlsVersion: '1.2', basis: 'PCI DSS 10.5.1' },
    publicRoutes: [],
    packs: [{ name: 'SecureApi', rules: [{ id: 'SecureApi-StageWebAcl', pack: 'SecureApi', info: 'Stage has a WAF', explanation: 'WAF', level: 'error', controls: {}, notApplicable: 0 }] }],
    results: [],
    acknowledgments: [],
    stacks: [],
  };

  test('renders every format from cdk.out/compliance/evidence.json', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'compliance'));
    writeFileSync(join(dir, 'compliance', 'evidence.json'), JSON.stringify(evidence));
    const r = await world.cli(['report', '--cdk-out', dir, '--json']);
    expect(r.code).toBe(0);
    const files = r.json<{ files: Record<string, string> }>().files;
    expect(Object.keys(files).sort()).toEqual(['html', 'junit', 'md', 'sarif', 'sarifFull']);
    expect(readFileSync(files.md, 'utf8')).toMatch(/SecureApi-StageWebAcl|PCI/);
    const one = await world.cli(['report', '--cdk-out', dir, '--format', 'sarif']);
    expect(one.stdout).toBe(`compliance: PASS: 0 unacknowledged findings; 0 acknowledged; 0 passed in 0 stacks; report: ${join(dir, 'compliance', 'compliance.sarif')}\n`);
    expect(one.stderr).toContain(`wrote sarif ${join(dir, 'compliance', 'compliance.sarif')}`);
  });

  test('no evidence: exit 3; bad format: exit 2', async () => {
    const none = await world.cli(['report', '--cdk-out', tmp()]);
    expect(none.code).toBe(ExitCode.NOT_FOUND);
    expectOneLineError(none.stderr, /no compliance evidence in .*Compliance\.enforce/);
    const bad = await world.cli(['report', '--cdk-out', tmp(), '--format', 'pdf']);
    expect(bad.code).toBe(ExitCode.USAGE);
    expectOneLineError(bad.stderr, /--format must be md, html, sarif, junit or all/);
  });
});

describe('tenant add --spec (plans, APIs, regions and platform name from the spec JSON)', () => {
  test('one metering key value, created in every region and attached to each API\'s usage plan', async () => {
    const file = join(tmp(), 'spec.json');
    writeFileSync(file, JSON.stringify({
      name: 'orders',
      regions: { primary: 'eu-west-1', secondaries: ['eu-central-1'] },
      plans: { standard: { rate: 1, burst: 1, dailyQuota: 1 }, premium: { rate: 2, burst: 2, dailyQuota: 2 } },
      apis: [{ name: 'orders', version: 'v1', routes: [] }],
    }));
    const r = await world.cli(['tenant', 'add', 'umbrella', '--plan', 'premium', '--contact', 'sec@umbrella.example', '--spec', file, '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const [west, central] = await Promise.all(['eu-west-1', 'eu-central-1'].map(async (region) => (await world.gatewayKeys(region)).find((k) => k.name === 'orders-tenant-umbrella')!));
    expect(west.usagePlans).toEqual(['orders-orders-v1-premium']);
    expect(central.usagePlans).toEqual(['orders-orders-v1-premium']);
    expect(west.value).toBe(central.value);
    const list = await world.cli(['tenant', 'list', ...ON, '--json']);
    expect(list.json<{ tenants: Array<{ tenantId: string; plan: string; metered: boolean }> }>().tenants).toEqual([
      expect.objectContaining({ tenantId: 'umbrella', plan: 'premium', metered: true, disabled: false, contact: 'sec@umbrella.example' }),
    ]);
    expect(list.stdout).not.toContain(west.value);
  });
});
