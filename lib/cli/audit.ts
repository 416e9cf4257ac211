/**
 * The audit trail of operator changes: one JSON line per change (who, what, when), written to the platform's
 * CloudWatch Logs group `/<platform>/audit/operations`. Never holds a secret: key ids, not keys or hashes.
 */
import { randomBytes } from 'node:crypto';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { STSClient } from '@aws-sdk/client-sts';
import { awsError, errorName, oneLine } from './errors';

/** One audited change. */
export interface AuditEvent {
  /** ISO-8601 time of the change. */
  readonly time: string;
  /** Who: the STS caller ARN, or `--actor`. */
  readonly actor: string;
  /** What: `tenant.add`, `key.rotate`, `token.revoke`, ... */
  readonly action: string;
  /** The tenant, key id, jti or subject changed. */
  readonly target: string;
  readonly platform: string;
  readonly table: string;
  readonly region?: string;
  /** Non-secret details (plan, expiry, grace, reason). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Where audit lines go. `prepare` runs before the change, so a change is never made that cannot be audited. */
export interface AuditSink {
  prepare(): Promise<void>;
  write(event: AuditEvent): Promise<void>;
}

/** Who is operating: the AWS principal behind the credentials. */
export interface CallerIdentity {
  whoAmI(): Promise<string>;
}

/** STS GetCallerIdentity (needs no permission). */
export class StsCallerIdentity implements CallerIdentity {
  constructor(private readonly client: STSClient) {}

  async whoAmI(): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
    const out = await this.client.send(new GetCallerIdentityCommand({}));
    return out.Arn ?? out.UserId ?? 'unknown';
  }
}

/** Audit lines into a CloudWatch Logs group: one stream per CLI run (`cli/<date>/<random>`). */
export class CloudWatchLogsAuditSink implements AuditSink {
  private readonly stream: string;
  private created = false;

  constructor(private readonly client: CloudWatchLogsClient, private readonly logGroup: string, now: number) {
    this.stream = `cli/${new Date(now).toISOString().slice(0, 10)}/${randomBytes(8).toString('hex')}`;
  }

  async prepare(): Promise<void> {
    if (this.created) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CreateLogStreamCommand } = require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
    try {
      await this.client.send(new CreateLogStreamCommand({ logGroupName: this.logGroup, logStreamName: this.stream }));
    } catch (e) {
      if (errorName(e) === 'ResourceNotFoundException') {
        throw awsError(`audit log group ${this.logGroup} does not exist: deploy the platform (it creates the group) or check --platform and --region; nothing was changed`);
      }
      if (errorName(e) !== 'ResourceAlreadyExistsException') throw e;
    }
    this.created = true;
  }

  async write(event: AuditEvent): Promise<void> {
    await this.prepare();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PutLogEventsCommand } = require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
    try {
      // The log event's timestamp is when it is written (CloudWatch refuses events far in the past or future); the
      // line itself carries the change's time.
      const out = await this.client.send(new PutLogEventsCommand({
        logGroupName: this.logGroup,
        logStreamName: this.stream,
        logEvents: [{ timestamp: Date.now(), message: JSON.stringify(event) }],
      }));
      const rejected = out.rejectedLogEventsInfo;
      if (rejected && Object.values(rejected).some((v) => v !== undefined)) throw new Error(`CloudWatch Logs rejected the line (${JSON.stringify(rejected)})`);
    } catch (e) {
      throw awsError(`the change was made but its audit line could not be written to ${this.logGroup} (${oneLine(e instanceof Error ? e.message : String(e), 200)}): record it by hand`);
    }
  }
}

/** Audit lines kept in memory (tests, local runs). */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  prepared = 0;

  async prepare(): Promise<void> {
    this.prepared++;
  }

  async write(event: AuditEvent): Promise<void> {
    this.events.push(event);
  }
}
