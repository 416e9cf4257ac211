// Shared by the CLI tests: the CLI run in-process against dynalite (DynamoDB) and moto_server (API Gateway usage plans
// and keys, CloudWatch Logs for the audit trail, STS for the caller identity), with the real AWS SDK clients.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, CreateUsagePlanCommand, GetApiKeysCommand, GetUsagePlanKeysCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsAccountLogsRole } from '../../lib/cli/logs-role';
import { ApiGatewayMeteringKeys, CloudWatchLogsAuditSink, run, StsCallerIdentity } from '../../lib/cli/main';
import type { AuditEvent, CliDependencies } from '../../lib/cli/main';
import { startDynalite } from '../support/dynalite';
import { MOTO_CREDENTIALS, MotoServer, startMoto } from '../support/moto';

export const PLATFORM = 'orders';
export const TABLE = 'orders-platform';
export const AUDIT_GROUP = '/orders/audit/operations';
export const REGIONS = ['eu-west-1', 'eu-central-1'];
/** A platform spec file as `spec write` writes it (plans, APIs and the scopes keys may get). */
export const SPEC_FILE = join(mkdtempSync(join(tmpdir(), 'sap-spec-')), 'platform.json');
writeFileSync(SPEC_FILE, JSON.stringify({
  name: PLATFORM,
  regions: { primary: 'eu-west-1', secondaries: ['eu-central-1'] },
  plans: { standard: { rate: 10, burst: 20, dailyQuota: 1000 }, premium: { rate: 50, burst: 100, dailyQuota: 10_000 } },
  apis: [{ name: 'orders', version: 'v1', scopes: { 'orders:read': 'Read orders', 'orders:write': 'Create orders' }, routes: [] }],
}));
/** `--spec` of the commands that check scopes or plans against the spec. */
export const SPEC = ['--spec', SPEC_FILE];

/** The caller moto's STS reports for any credentials. */
export const MOTO_CALLER = /^arn:aws:sts::\d{12}:user\/moto$/;

/** An API Gateway API key as moto holds it, with the names of the usage plans it is attached to. */
export interface GatewayKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly usagePlans: string[];
}

export class Capture {
  text = '';
  readonly write = (chunk: string): boolean => {
    this.text += chunk;
    return true;
  };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** A test world: dynalite + table, moto_server with the platform's usage plans and audit log group, a controllable CLI clock. */
export class World {
  client!: DynamoDBClient;
  moto!: MotoServer;
  /** The DynamoDB endpoint (dynalite) holding the platform table. */
  dbEndpoint!: string;
  private stopDb!: () => Promise<void>;
  private readonly clients: Array<{ destroy(): void }> = [];
  /** CLI wall clock (ms); `undefined` = the real clock. */
  nowMs: number | undefined;
  identityCalls = 0;

  async start(tableName = TABLE): Promise<this> {
    const [db, moto] = await Promise.all([startDynalite(), startMoto()]);
    // A client that retries: dynalite closes idle keep-alive sockets, which a single attempt can meet mid-request.
    this.client = new DynamoDBClient({ endpoint: db.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 });
    this.clients.push(this.client);
    this.stopDb = db.stop;
    this.dbEndpoint = db.endpoint;
    this.moto = moto;
    await createPlatformTable(this.client, tableName);
    for (const region of REGIONS) {
      for (const plan of ['orders-orders-v1-standard', 'orders-orders-v1-premium']) await this.gateway(region).send(new CreateUsagePlanCommand({ name: plan }));
    }
    await this.logs().send(new CreateLogGroupCommand({ logGroupName: AUDIT_GROUP }));
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await Promise.all([this.stopDb(), this.moto.stop()]);
  }

  private config(region: string | undefined) {
    return { endpoint: this.moto.endpoint, region: region ?? 'eu-west-1', credentials: MOTO_CREDENTIALS, maxAttempts: 1 };
  }

  gateway(region: string | undefined): APIGatewayClient {
    const c = new APIGatewayClient(this.config(region));
    this.clients.push(c);
    return c;
  }

  iam(): IAMClient {
    const c = new IAMClient(this.config('us-east-1'));
    this.clients.push(c);
    return c;
  }

  logs(region?: string): CloudWatchLogsClient {
    const c = new CloudWatchLogsClient(this.config(region));
    this.clients.push(c);
    return c;
  }

  deps(extra: Partial<CliDependencies> = {}): Partial<CliDependencies> & { stdout: Capture; stderr: Capture } {
    return {
      now: () => this.nowMs ?? Date.now(),
      dynamodb: () => this.client,
      metering: (t) => new ApiGatewayMeteringKeys(this.gateway(t.region)),
      identity: (t) => {
        const sts = new StsCallerIdentity(new STSClient(this.config(t.region)));
        return {
          whoAmI: async () => {
            this.identityCalls++;
            return sts.whoAmI();
          },
        };
      },
      audit: (t, group) => new CloudWatchLogsAuditSink(this.logs(t.region), group, Date.now()),
      accountLogsRole: (t) => new AwsAccountLogsRole(this.gateway(t.region), this.iam()),
      ...extra,
      stdout: new Capture(),
      stderr: new Capture(),
    };
  }

  async cli(argv: string[], extra: Partial<CliDependencies> = {}): Promise<CliResult> {
    const deps = this.deps(extra);
    const code = await run(argv, deps);
    const stdout = deps.stdout.text;
    const stderr = deps.stderr.text;
    return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
  }

  /** Every item of the table, sorted: to assert that a failed or dry-run command changed nothing. */
  async items(tableName = TABLE): Promise<unknown[]> {
    const out = await this.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return (out.Items ?? []).sort((a, b) => `${a.pk.S}`.localeCompare(`${b.pk.S}`));
  }

  /** The audit lines in the platform's log group (moto's CloudWatch Logs), in the order they were written. */
  async auditEvents(): Promise<AuditEvent[]> {
    const events: Array<{ timestamp?: number; ingestionTime?: number; message?: string }> = [];
    let nextToken: string | undefined;
    do {
      const out = await this.logs().send(new FilterLogEventsCommand({ logGroupName: AUDIT_GROUP, nextToken }));
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return events.sort((a, b) => (a.ingestionTime ?? 0) - (b.ingestionTime ?? 0) || (a.timestamp ?? 0) - (b.timestamp ?? 0))
      .map((e) => JSON.parse(e.message ?? '{}') as AuditEvent);
  }

  /** The API keys of a region (moto's API Gateway), with the names of their usage plans. */
  async gatewayKeys(region: string): Promise<GatewayKey[]> {
    const gw = this.gateway(region);
    const plans = (await gw.send(new GetUsagePlansCommand({}))).items ?? [];
    const attached = new Map<string, string[]>();
    for (const p of plans) {
      const planKeys = (await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: p.id! }))).items ?? [];
      for (const k of planKeys) attached.set(k.id!, [...(attached.get(k.id!) ?? []), p.name!]);
    }
    const keys = (await gw.send(new GetApiKeysCommand({ includeValues: true }))).items ?? [];
    return keys.map((k) => ({ id: k.id!, name: k.name!, value: k.value!, enabled: k.enabled === true, usagePlans: attached.get(k.id!) ?? [] }));
  }
}

export async function createPlatformTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  }));
}

/** The common flags of a command against the test platform. */
export const ON = ['--platform', PLATFORM, '--region', 'eu-west-1'];

/** A stderr that is one `error: ...` line and no stack trace. */
export function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.length > 0 && l.startsWith('error'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}
