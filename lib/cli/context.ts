/**
 * What every command runs with: injectable dependencies (AWS clients, clock, output, audit sink, HTTP) and the
 * options every command shares (`--region`, `--profile`, `--platform`, `--table`, `--json`, `--dry-run`, `--actor`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { AuditEvent, auditLogGroup, AuditSink, CallerIdentity, CloudWatchLogsAuditSink, StsCallerIdentity } from './audit';
import { usage } from './errors';
import { defaultHttpGet, HttpGet } from './http';
import { ApiGatewayMeteringKeys, MeteringKeys } from './metering';
import { PlatformStore } from './store';
import { checkPlatform, checkTable } from './validate';

/** Something text can be written to (process.stdout / process.stderr, or a buffer in tests). */
export interface Output {
  write(chunk: string): unknown;
}

/** Where AWS calls go: `--region` and `--profile` (standard credential chain when absent). */
export interface AwsTarget {
  readonly region?: string;
  readonly profile?: string;
}

/** Everything the CLI touches outside itself; `run(argv, deps)` takes any subset and defaults the rest. */
export interface CliDependencies {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Wall clock, epoch milliseconds: creation and expiry times, TTLs, clock-skew checks. */
  readonly now: () => number;
  readonly dynamodb: (target: AwsTarget) => DynamoDBClient;
  /** API Gateway metering keys of one region. */
  readonly metering: (target: AwsTarget) => MeteringKeys;
  /** Who is operating (STS GetCallerIdentity); not called when `--actor` is given. */
  readonly identity: (target: AwsTarget) => CallerIdentity;
  /** The audit sink for a log group (CloudWatch Logs `/<platform>/audit/operations`). */
  readonly audit: (target: AwsTarget, logGroup: string) => AuditSink;
  /** HTTP GET for `doctor`. */
  readonly httpGet: HttpGet;
}

function clientConfig(target: AwsTarget): { region?: string; profile?: string; maxAttempts: number } {
  return { region: target.region, profile: target.profile, maxAttempts: 3 };
}

/** The real dependencies: AWS SDK v3 clients (credentials from the standard chain, or `--profile`), process streams. */
export function defaultDependencies(): CliDependencies {
  /* eslint-disable @typescript-eslint/no-require-imports -- SDKs load only when a command needs them (fast --help) */
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    now: () => Date.now(),
    dynamodb: (t) => new (require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb')).DynamoDBClient(clientConfig(t)),
    metering: (t) => new ApiGatewayMeteringKeys(new (require('@aws-sdk/client-api-gateway') as typeof import('@aws-sdk/client-api-gateway')).APIGatewayClient(clientConfig(t))),
    identity: (t) => new StsCallerIdentity(new (require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts')).STSClient(clientConfig(t))),
    audit: (t, group) => new CloudWatchLogsAuditSink(
      new (require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(clientConfig(t)), group, Date.now()),
    httpGet: defaultHttpGet,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Options every command has. */
export interface CommonOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly platform?: string;
  readonly table?: string;
  readonly json?: boolean;
}

/** Options every command that changes something has. */
export interface WriteOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly actor?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s region)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config (default: the standard credential chain)')
    .option('--platform <name>', 'platform name (the spec\'s `name`): table <name>-platform, audit log /<name>/audit/operations')
    .option('--table <name>', 'DynamoDB table (default: <platform>-platform)')
    .option('--json', 'machine-readable output on stdout');
}

export function addWriteOptions(cmd: Command): Command {
  return addCommonOptions(cmd)
    .option('--dry-run', 'show what would change and change nothing')
    .option('--actor <who>', 'who is operating, for the audit line (default: the AWS caller identity from STS)');
}

/**
 * Wraps a command's action: builds its {@link CommandContext} from the parsed options and records the exit code it
 * returns (`doctor`); errors go up to `run`, which prints them as one line.
 */
export type Runner = (action: (ctx: CommandContext, ...args: string[]) => Promise<void | number>) => (...args: unknown[]) => Promise<void>;

/** A change, for `--dry-run` output and the audit line. */
export interface Change {
  readonly action: string;
  readonly target: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One command's run: resolved options, output helpers, the store and the audit trail. */
export class CommandContext {
  readonly platform?: string;
  readonly tableName?: string;
  readonly target: AwsTarget;
  private storeInstance?: PlatformStore;
  private actorName?: string;
  private sink?: AuditSink;

  constructor(readonly deps: CliDependencies, readonly options: WriteOptions) {
    this.target = { region: options.region, profile: options.profile };
    const platform = options.platform !== undefined ? checkPlatform(options.platform) : undefined;
    const table = options.table !== undefined ? checkTable(options.table) : platform ? `${platform}-platform` : undefined;
    // A table named like the platform's own gives the platform back (for the audit log group).
    this.platform = platform ?? (table?.endsWith('-platform') ? table.slice(0, -'-platform'.length) : undefined);
    this.tableName = table;
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get dryRun(): boolean {
    return this.options.dryRun === true;
  }

  nowMs(): number {
    return this.deps.now();
  }

  nowSeconds(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  nowIso(): string {
    return new Date(this.deps.now()).toISOString();
  }

  /** Who is operating (after `beginChange`). */
  get actor(): string {
    if (!this.actorName) throw new Error('actor read before beginChange()');
    return this.actorName;
  }

  requirePlatform(why: string): string {
    if (!this.platform) throw usage(`pass --platform <name> (the spec's name): it is needed for ${why}`);
    return this.platform;
  }

  store(): PlatformStore {
    if (!this.tableName) throw usage('name the platform: --platform <name> (table <name>-platform) or --table <table>');
    this.storeInstance ??= new PlatformStore(this.deps.dynamodb(this.target), this.tableName, (m) => this.progress(m));
    return this.storeInstance;
  }

  /** Progress and notes: stderr, so stdout stays clean for `--json` and for the one-time key. */
  progress(message: string): void {
    this.deps.stderr.write(`${message}\n`);
  }

  /** Prints the result: JSON on stdout with `--json`, else the human lines. */
  result(human: string | readonly string[], json: unknown): void {
    if (this.json) this.deps.stdout.write(`${JSON.stringify(json, undefined, 2)}\n`);
    else this.deps.stdout.write(`${(typeof human === 'string' ? [human] : human).join('\n')}\n`);
  }

  /** `--dry-run`: prints the changes that would be made. */
  dryRunResult(changes: readonly Change[]): void {
    this.result(
      ['dry run: nothing was changed; would:', ...changes.map((c) => `  ${c.action} ${c.target} ${JSON.stringify(c.details)}`)],
      { dryRun: true, changes },
    );
  }

  /**
   * Before a change: resolves who is operating and opens the audit log, so nothing is ever changed that cannot be
   * audited (a missing log group or credentials stop the command first).
   */
  async beginChange(): Promise<void> {
    const platform = this.requirePlatform(`the audit log group ${auditLogGroup('<platform>')}`);
    this.actorName = this.options.actor ?? (await this.deps.identity(this.target).whoAmI());
    this.sink = this.deps.audit(this.target, auditLogGroup(platform));
    await this.sink.prepare();
  }

  /** After a change: the audit line (who, what, when). */
  async audited(change: Change): Promise<void> {
    if (!this.sink || !this.actorName) throw new Error('audited() called before beginChange()');
    const event: AuditEvent = {
      time: this.nowIso(),
      actor: this.actorName,
      action: change.action,
      target: change.target,
      platform: this.platform!,
      table: this.tableName ?? '',
      region: this.target.region,
      details: change.details,
    };
    await this.sink.write(event);
  }
}
