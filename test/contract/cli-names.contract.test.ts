// The names the operators' CLI addresses by name alone (TableNames, operationsAuditLogGroup, ApiNames.usagePlan in
// lib/spec/contracts/names): taken from the synthesized platform on one side (the global table, the operations audit
// log group and the operators' role's statement on it, each region's usage plans), created under exactly those names in
// dynalite and moto_server on the other, and the CLI, given only --platform, onboards a tenant into them.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, CreateUsagePlanCommand, GetUsagePlanKeysCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { App } from 'aws-cdk-lib';
import { Template } from './intrinsics';
import { SecureApiPlatform } from '../../constructs/aws';
import { ApiGatewayMeteringKeys, CloudWatchLogsAuditSink, run, StsCallerIdentity } from '../../lib/cli/main';
import { Capture, createPlatformTable } from '../cli/helpers';
import { fixtureSpec } from '../fixtures/platform-spec';
import { startDynalite } from '../support/dynalite';
import { MOTO_CREDENTIALS, MotoServer, startMoto } from '../support/moto';

const spec = fixtureSpec('aws', { lean: true });
const regions = [spec.regions.primary, ...spec.regions.secondaries!];
let templates: Record<string, Template>;
let db: Awaited<ReturnType<typeof startDynalite>>;
let moto: MotoServer;
const clients: Array<{ destroy(): void }> = [];

const propsOf = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type)
  .map(([id, r]) => ({ id, p: r.Properties ?? {} }));
const tableName = (): string => String(propsOf(templates['P-Global'], 'AWS::DynamoDB::GlobalTable')[0].p.TableName);
const auditGroup = (): string => String(propsOf(templates['P-Global'], 'AWS::Logs::LogGroup').find((l) => l.id.startsWith('OperationsLog'))!.p.LogGroupName);
const usagePlans = (region: string): string[] => propsOf(templates[`P-Region-${region}`], 'AWS::ApiGateway::UsagePlan')
  .map((u) => String(u.p.UsagePlanName));
const aws = { endpoint: '', region: '', credentials: MOTO_CREDENTIALS, maxAttempts: 1 };
function client<T extends { destroy(): void }>(make: new (c: typeof aws) => T, region: string): T {
  const c = new make({ ...aws, endpoint: moto.endpoint, region });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'contract-cli-names-')) });
  new SecureApiPlatform(app, 'P', { spec, backends: { orders: SecureApiPlatform.lambdaBackend(join(__dirname, '..', '..', 'assets', 'orders-backend')) } });
  templates = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, s.template as Template]));
  [db, moto] = await Promise.all([startDynalite(), startMoto()]);
  // What the platform's stacks create, under the names their templates give.
  await createPlatformTable(db.client, tableName());
  await client(CloudWatchLogsClient, spec.regions.primary).send(new CreateLogGroupCommand({ logGroupName: auditGroup() }));
  for (const region of regions) {
    for (const name of usagePlans(region)) await client(APIGatewayClient, region).send(new CreateUsagePlanCommand({ name }));
  }
}, 240_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([db?.stop(), moto?.stop()]);
});

test('the operators\' role (the CLI\'s) may write the table and the audit log group the global stack creates', () => {
  type Statement = { Sid?: string; Resource: unknown };
  const statements = propsOf(templates['P-Global'], 'AWS::IAM::ManagedPolicy').flatMap((p) => (p.p.PolicyDocument as { Statement: Statement[] }).Statement);
  const audit = statements.find((s) => s.Sid === 'OperationsAudit');
  expect(JSON.stringify(audit?.Resource)).toContain(`:log-group:${auditGroup()}:log-stream:*`);
  expect(JSON.stringify(statements.find((s) => s.Sid === 'PlatformTable')?.Resource)).toContain(`:table/${tableName()}`);
});

test('given only --platform, the CLI onboards a tenant into the synthesized table, usage plans and audit log group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-cli-spec-'));
  writeFileSync(join(dir, 'platform.json'), JSON.stringify(spec));
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(['tenant', 'add', 'acme', '--plan', 'premium', '--contact', 'ops@acme.example', '--spec', join(dir, 'platform.json'), '--platform', spec.name, '--region', spec.regions.primary], {
    stdout,
    stderr,
    dynamodb: () => db.client as DynamoDBClient,
    metering: (t) => new ApiGatewayMeteringKeys(client(APIGatewayClient, t.region!)),
    identity: (t) => new StsCallerIdentity(client(STSClient, t.region ?? spec.regions.primary)),
    audit: (t, group) => new CloudWatchLogsAuditSink(client(CloudWatchLogsClient, t.region ?? spec.regions.primary), group, Date.now()),
  });
  expect({ code, errors: stderr.text.split('\n').filter((l) => l.startsWith('error')) }).toEqual({ code: 0, errors: [] });

  const tenant = await db.client.send(new GetItemCommand({ TableName: tableName(), Key: { pk: { S: 'TENANT#acme' }, sk: { S: 'TENANT' } }, ConsistentRead: true }));
  expect(tenant.Item?.plan?.S).toBe('premium');
  for (const region of regions) {
    const gw = client(APIGatewayClient, region);
    const premium = ((await gw.send(new GetUsagePlansCommand({}))).items ?? []).filter((p) => usagePlans(region).includes(p.name!) && p.name!.endsWith('-premium'));
    expect(premium).toHaveLength(1);
    expect(((await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: premium[0].id! }))).items ?? [])).toHaveLength(1);
  }
  const audit = await client(CloudWatchLogsClient, spec.regions.primary).send(new FilterLogEventsCommand({ logGroupName: auditGroup() }));
  expect((audit.events ?? []).map((e) => (JSON.parse(e.message!) as { action: string }).action)).toContain('tenant.add');
});
