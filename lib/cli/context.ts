/**
 * What every command runs with: injectable dependencies (AWS clients, clock, output, audit sink, HTTP) and the
 * options every command shares (`--region`, `--profile`, `--platform`, `--table`, `--json`, `--dry-run`, `--actor`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableClient } from '@azure/data-tables';
import { Command, Option } from 'commander';
import { AuditEvent, AuditSink, CallerIdentity, CloudWatchLogsAuditSink, StsCallerIdentity } from './audit';
import {
  AZURE_CLOUD, AZURE_TABLES_CONNECTION_STRING_ENV, AzureTablesAuditSink, AzureTablesPlatformStore, AzureTablesTarget, checkAzureTable,
  defaultAzureIdentity, defaultAzureTables,
} from './azure-store';
import { CliError, ExitCode, tagged, usage } from './errors';
import { defaultHttpGet, HttpGet } from './http';
import { AccountLogsRole, AwsAccountLogsRole } from './logs-role';
import { ApiGatewayMeteringKeys, MeteringKeys } from './metering';
import { PlatformRecords, PlatformStore } from './store';
import { checkPlatform, checkTable } from './validate';
import { AZURE_AUTHORIZER_TABLE as AZURE_DEFAULT_TABLE } from '../authorizer/adapters/azure-contract';
import { operationsAuditLogGroup, TableNames } from '../spec/contracts/names';

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
  /** The account's API Gateway CloudWatch Logs role in one region, for `doctor`. */
  readonly accountLogsRole: (target: AwsTarget) => AccountLogsRole;
  /**
   * `--cloud azure`: the platform table (Cosmos DB for Table, or azurite), from `--table-endpoint` with
   * DefaultAzureCredential, or from $AZURE_TABLES_CONNECTION_STRING.
   */
  readonly azureTables: (target: AzureTablesTarget) => TableClient;
  /** `--cloud azure`: who is operating (the Entra principal of the credential); not called when `--actor` is given. */
  readonly azureIdentity: (target: AzureTablesTarget) => CallerIdentity;
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
    accountLogsRole: (t) => new AwsAccountLogsRole(
      new (require('@aws-sdk/client-api-gateway') as typeof import('@aws-sdk/client-api-gateway')).APIGatewayClient(clientConfig(t)),
      new (require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam')).IAMClient(clientConfig(t))),
    azureTables: defaultAzureTables,
    azureIdentity: defaultAzureIdentity,
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
  /** `aws` (default) or `azure`. */
  readonly cloud?: string;
  readonly tableEndpoint?: string;
}

/** Options every command that changes something has. */
export interface WriteOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly actor?: string;
}

/** The environment variable that names the platform when `--platform` is not given. */
export const PLATFORM_ENV = 'SECURE_API_PLATFORM_NAME';
/** The environment variable that names the cloud when `--cloud` is not given. */
export const CLOUD_ENV = 'SECURE_API_PLATFORM_CLOUD';

const REQUIRED = new WeakSet<Option>();

/**
 * Marks an option as required. Help shows it as such; the command's action checks it, with every other problem, so
 * a misspelt option is reported by its name (commander checks required options before unknown ones).
 */
export function required(option: Option): Option {
  REQUIRED.add(option);
  return option;
}

export function isRequired(option: Option): boolean {
  return REQUIRED.has(option);
}

/** The options of `cmd` marked required and not given. */
export function missingRequired(cmd: Command): string[] {
  const values = cmd.opts();
  return cmd.options.filter((o) => REQUIRED.has(o) && values[o.attributeName()] === undefined).map((o) => `${o.long ?? o.flags}${o.required ? ` ${o.flags.slice(o.flags.indexOf('<'))}` : ''}`);
}

export function addJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output on stdout');
}

export function addCommonOptions(cmd: Command): Command {
  return addJsonOption(cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s region)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config (default: the standard credential chain)')
    .addOption(new Option('--platform <name>', 'platform name (the spec\'s `name`): table <name>-platform, audit log /<name>/audit/operations').env(PLATFORM_ENV))
    .option('--table <name>', 'DynamoDB table (default: <platform>-platform); Azure table (default: authorizer)')
    .addOption(new Option('--cloud <cloud>', 'where the platform runs: its table, caller identity and audit trail').choices(['aws', AZURE_CLOUD]).default('aws').env(CLOUD_ENV))
    .addOption(new Option('--table-endpoint <url>', `Azure: the table endpoint, e.g. https://<account>.table.cosmos.azure.com:443/ (or set ${AZURE_TABLES_CONNECTION_STRING_ENV})`).env('AZURE_TABLES_ENDPOINT')));
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
  private storeInstance?: PlatformRecords;
  private actorName?: string;
  private sink?: AuditSink;
  private readonly problems: string[] = [];

  constructor(readonly deps: CliDependencies, readonly options: WriteOptions) {
    this.target = { region: options.region, profile: options.profile };
    const platform = options.platform !== undefined ? this.check(() => checkPlatform(options.platform!)) : undefined;
    if (this.azure) {
      this.platform = platform;
      this.tableName = options.table !== undefined ? this.check(() => checkAzureTable(options.table!)) : AZURE_DEFAULT_TABLE;
      return;
    }
    const table = options.table !== undefined ? this.check(() => checkTable(options.table!)) : platform ? TableNames.global(platform) : undefined;
    // A table named like the platform's own gives the platform back (for the audit log group).
    this.platform = platform ?? (table !== undefined ? TableNames.platformOf(table) : undefined);
    this.tableName = table;
  }

  /** `--cloud azure`: the Azure table, Entra identity and the table's audit entities instead of AWS. */
  get azure(): boolean {
    return this.options.cloud === AZURE_CLOUD;
  }

  get json(): boolean {
    return this.options.json === true;
  }

  /**
   * Runs one input check and keeps its usage error instead of throwing it, so `endChecks()` reports every problem
   * at once. Returns the check's value (undefined when it failed).
   */
  check<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof CliError && e.exitCode === ExitCode.USAGE) {
        this.problems.push(e.message);
        return undefined;
      }
      throw e;
    }
  }

  /** Adds a problem found by the caller (reported by `endChecks()`). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /**
   * Throws one usage error listing every problem `check()` collected, if any. Called by the action after its checks,
   * and before anything touches AWS (`store()`, `requirePlatform()`), so no command acts on input with a problem.
   */
  endChecks(): void {
    if (this.problems.length === 1) throw usage(this.problems[0]);
    if (this.problems.length > 1) throw usage(`${this.problems.length} problems: ${this.problems.map((p, i) => `(${i + 1}) ${p}`).join('; ')}`);
  }

  /** Rows under a header, columns padded to line up (the last column is not padded). */
  table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
    return [line(header), ...rows.map(line)];
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
    this.endChecks();
    if (!this.platform) throw usage(`pass --platform <name> (the spec's name): it is needed for ${why}`);
    return this.platform;
  }

  store(): PlatformRecords {
    this.endChecks();
    if (!this.tableName) throw usage('name the platform: --platform <name> (table <name>-platform) or --table <table>');
    if (this.azure) {
      const target = this.azureTarget;
      this.storeInstance ??= new AzureTablesPlatformStore(this.deps.azureTables(target), target.location, (m) => this.progress(m));
    }
    this.storeInstance ??= new PlatformStore(this.deps.dynamodb(this.target), this.tableName, (m) => this.progress(m));
    return this.storeInstance;
  }

  /** Where the Azure table is (`--table-endpoint`, or the connection string in the environment). */
  get azureTarget(): AzureTablesTarget {
    const endpoint = this.options.tableEndpoint;
    return { endpoint, table: this.tableName ?? AZURE_DEFAULT_TABLE, location: endpoint ?? `$${AZURE_TABLES_CONNECTION_STRING_ENV}` };
  }

  /** API Gateway metering keys of a region (errors name the service). */
  metering(region: string): MeteringKeys {
    return tagged(`API Gateway (${region})`, this.deps.metering({ ...this.target, region }));
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
    if (this.azure) {
      this.requirePlatform('the audit entities (platform, actor, action, target)');
      const store = this.store() as AzureTablesPlatformStore;
      this.actorName = this.options.actor ?? (await this.deps.azureIdentity(this.azureTarget).whoAmI());
      this.sink = new AzureTablesAuditSink(store);
    } else {
      const platform = this.requirePlatform(`the audit log group ${operationsAuditLogGroup('<platform>')}`);
      this.actorName = this.options.actor ?? (await tagged('STS', this.deps.identity(this.target)).whoAmI());
      this.sink = tagged('CloudWatch Logs', this.deps.audit(this.target, operationsAuditLogGroup(platform)));
    }
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
      region: this.azure ? undefined : this.target.region,
      details: change.details,
    };
    await this.sink.write(event);
  }
}
