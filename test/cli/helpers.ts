// Shared by the CLI tests: the CLI run in-process against dynalite (real AWS SDK), with in-memory fakes only where
// AWS cannot run offline: API Gateway (metering keys), STS (caller identity) and CloudWatch Logs (audit sink).
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { MemoryAuditSink, run } from '../../lib/cli/main';
import type { CliDependencies, MeteringKeys } from '../../lib/cli/main';
import { startDynalite } from '../support/dynalite';

export const PLATFORM = 'orders';
export const TABLE = 'orders-platform';

/** An in-memory API Gateway (usage plans by name, keys by id): API Gateway cannot run offline. */
export class FakeMetering implements MeteringKeys {
  readonly usagePlans = new Map<string, string>();
  readonly keys = new Map<string, { name: string; value: string; enabled: boolean; usagePlans: string[]; region: string }>();
  private next = 1;

  constructor(readonly region: string, planNames: string[]) {
    for (const name of planNames) this.usagePlans.set(name, `up-${region}-${name}`);
  }

  async findUsagePlan(name: string): Promise<string | undefined> {
    return this.usagePlans.get(name);
  }

  async createKey(input: { name: string; value: string }): Promise<string> {
    const id = `apikey-${this.region}-${this.next++}`;
    this.keys.set(id, { name: input.name, value: input.value, enabled: true, usagePlans: [], region: this.region });
    return id;
  }

  async attachToUsagePlan(usagePlanId: string, keyId: string): Promise<void> {
    this.keys.get(keyId)!.usagePlans.push(usagePlanId);
  }

  async disableKey(keyId: string): Promise<void> {
    const k = this.keys.get(keyId);
    if (!k) throw Object.assign(new Error('Invalid API Key identifier specified'), { name: 'NotFoundException', $metadata: {} });
    k.enabled = false;
  }

  async deleteKey(keyId: string): Promise<void> {
    this.keys.delete(keyId);
  }
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

/** A test world: dynalite + table, fake API Gateway per region, in-memory audit, a controllable CLI clock. */
export class World {
  client!: DynamoDBClient;
  stop!: () => Promise<void>;
  readonly audit = new MemoryAuditSink();
  readonly auditGroups: string[] = [];
  readonly metering = new Map<string, FakeMetering>();
  /** CLI wall clock (ms); `undefined` = the real clock. */
  nowMs: number | undefined;
  identityCalls = 0;

  async start(tableName = TABLE): Promise<this> {
    const db = await startDynalite();
    this.client = db.client;
    this.stop = db.stop;
    await createPlatformTable(this.client, tableName);
    for (const region of ['eu-west-1', 'eu-central-1']) {
      this.metering.set(region, new FakeMetering(region, ['orders-orders-v1-standard', 'orders-orders-v1-premium']));
    }
    return this;
  }

  deps(extra: Partial<CliDependencies> = {}): Partial<CliDependencies> & { stdout: Capture; stderr: Capture } {
    return {
      now: () => this.nowMs ?? Date.now(),
      dynamodb: () => this.client,
      metering: (t) => {
        const m = this.metering.get(t.region ?? '');
        if (!m) throw new Error(`no fake API Gateway for region ${t.region}`);
        return m;
      },
      identity: () => ({
        whoAmI: async () => {
          this.identityCalls++;
          return 'arn:aws:sts::111111111111:assumed-role/Operator/alice';
        },
      }),
      audit: (_t, group) => {
        this.auditGroups.push(group);
        return this.audit;
      },
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
