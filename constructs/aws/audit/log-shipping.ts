import { ArnFormat, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { ExtraRedactions, LogSource, RedactionPlan, redactionPlan } from '../../../lib/spec/contracts/logs';
import { FunctionNames } from '../../../lib/spec/contracts/names';
import { keyUseStatement, nagRef } from '../common/key-grants';
import { PlatformFunction } from '../common/platform-function';
import { SecurityNames } from '../common/security-names';

/**
 * Firehose record transformation. Each record is CloudWatch Logs subscription data (gzip: `logGroup`, `logEvents`) or
 * a raw JSON line. `REDACTION` holds `{ groups: { <log group name>: <source> }, paths: { <source>: [<field path>] } }`
 * (lib/spec/contracts/logs.ts): every JSON line of a known log group loses the values at its source's paths; a record of
 * an unknown group, or a raw line, loses those of every source. Control messages are dropped; a line that is not
 * JSON is archived as `{"unparsed":true,"length":n}` (no content); an unreadable record is marked ProcessingFailed
 * (Firehose writes it to the error prefix).
 */
export const REDACTION_CODE = `
const zlib = require('node:zlib');
const CFG = JSON.parse(process.env.REDACTION || '{}');
const R = '[REDACTED]';
function steps(path) {
  const out = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\\[[^\\]]*\\])*)$/.exec(part);
    if (m[1]) out.push({ k: m[1].toLowerCase() });
    for (const b of m[2].match(/\\[[^\\]]*\\]/g) || []) {
      const inner = b.slice(1, -1);
      const eq = inner.indexOf('=');
      out.push(eq < 0 ? { all: true } : { f: inner.slice(0, eq), v: inner.slice(eq + 1).toLowerCase() });
    }
  }
  return out;
}
const PLANS = {};
for (const [source, paths] of Object.entries(CFG.paths || {})) PLANS[source] = paths.map(steps);
const ALL = [].concat(...Object.values(PLANS));
function walk(node, st, i) {
  if (node === null || typeof node !== 'object') return;
  const s = st[i];
  const last = i === st.length - 1;
  if (s.k !== undefined) {
    if (Array.isArray(node)) return;
    for (const key of Object.keys(node)) {
      if (s.k !== '*' && key.toLowerCase() !== s.k) continue;
      if (last) node[key] = R; else walk(node[key], st, i + 1);
    }
    return;
  }
  if (!Array.isArray(node)) return;
  node.forEach((el, j) => {
    if (s.f !== undefined && !(el && typeof el === 'object' && String(el[s.f]).toLowerCase() === s.v)) return;
    if (last) node[j] = R; else walk(el, st, i + 1);
  });
}
function redact(obj, plan) {
  for (const st of plan) walk(obj, st, 0);
  return obj;
}
function line(s, plan) {
  let o;
  try { o = JSON.parse(s); } catch { return JSON.stringify({ unparsed: true, length: s.length }); }
  return JSON.stringify(redact(o, plan));
}
exports.redact = (obj, source) => redact(obj, source ? PLANS[source] || ALL : ALL);
exports.handler = async (event) => ({
  records: event.records.map((r) => {
    try {
      const raw = Buffer.from(r.data, 'base64');
      let text;
      if (raw[0] === 0x1f && raw[1] === 0x8b) {
        const d = JSON.parse(zlib.gunzipSync(raw).toString('utf8'));
        if (d.messageType !== 'DATA_MESSAGE') return { recordId: r.recordId, result: 'Dropped', data: r.data };
        const source = (CFG.groups || {})[d.logGroup];
        const plan = source ? PLANS[source] || ALL : ALL;
        text = d.logEvents.map((e) => line(e.message, plan)).join('\\n') + '\\n';
      } else {
        text = raw.toString('utf8').split('\\n').filter((l) => l.trim()).map((l) => line(l, ALL)).join('\\n') + '\\n';
      }
      return { recordId: r.recordId, result: 'Ok', data: Buffer.from(text).toString('base64') };
    } catch (e) {
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
  }),
});
`;

export interface AuditLogShippingProps {
  /** The resolved spec: `audit.sensitiveFields` are redacted, log retention. */
  readonly spec: ResolvedSpec;
  /** This region's archive bucket (AuditArchive.bucket). */
  readonly archiveBucket: s3.IBucket;
  /** Key of the archive (PlatformKeys.audit): objects written by the stream. */
  readonly archiveKey: kms.IKey;
  /** Key of the stream, the redaction function's logs and the stream's error logs (PlatformKeys.logs). */
  readonly logKey: kms.IKey;
  /**
   * Log groups streamed to the archive through subscription filters, each with the kind of records it holds (which
   * decides the field paths redacted from them).
   * @default - none (add with `addSource`)
   */
  readonly sources?: ArchivedLogSource[];
  /**
   * Further sensitive fields, or further paths of the spec's fields, by log source (paths as in
   * lib/spec/contracts/logs.ts, e.g. `{ email: { backend: ['event.body.email'], apiAccess: [], authorizer: [], waf: [], cloudfront: [] } }`).
   * A field of `spec.audit.sensitiveFields` the platform does not know needs a list for every source here.
   * @default - none
   */
  readonly additionalRedactions?: ExtraRedactions;
  /**
   * Name of the delivery stream (one per region and purpose).
   * @default `<platform>-audit-logs`
   */
  readonly deliveryStreamName?: string;
  /**
   * Name of the redaction function.
   * @default `<platform>-audit-redaction`
   */
  readonly functionName?: string;
}

/** A log group streamed to the archive, and the kind of records it holds. */
export interface ArchivedLogSource {
  readonly logGroup: logs.ILogGroup;
  readonly source: LogSource;
}

/**
 * Ships the security logs of one region into the WORM archive (`logs/` prefix, GZIP, 5-minute buffers): CloudWatch
 * Logs subscription filters → a Firehose delivery stream (SSE with the logs key) → a Lambda processor that redacts, per
 * log source, the field paths of the spec's sensitive fields and of credentials (lib/spec/contracts/logs.ts) → S3
 * (SSE-KMS with the audit key). A sensitive field without a path for some source is an error at synth. Failed records go to
 * `logs-errors/`, delivery errors to a KMS-encrypted log group.
 */
export class AuditLogShipping extends Construct {
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  public readonly deliveryStreamArn: string;
  public readonly redactionFunction: PlatformFunction;
  /** The field paths redacted, by log source. */
  public readonly redaction: RedactionPlan;
  private readonly subscriptionRole: iam.Role;
  private readonly groups: Array<{ name: string; source: LogSource }> = [];
  private readonly subscriptionPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AuditLogShippingProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const extra: Record<string, Partial<Record<LogSource, readonly string[]>>> = { ...(props.additionalRedactions ?? {}) };
    // The spec's API-key header is a credential wherever a request's headers are logged.
    const keyHeader = spec.edge.apiKeyHeader.toLowerCase();
    extra['(api key header)'] = { waf: [`httpRequest.headers[name=${keyHeader}].value`], backend: [`event.headers.${keyHeader}`, `event.multiValueHeaders.${keyHeader}`] };
    const badPath = Object.values(extra).flatMap((bySource) => Object.values(bySource).flat()).find((p) => typeof p !== 'string' || !/^[A-Za-z0-9_()*=.[\]-]{1,128}$/.test(p));
    if (badPath !== undefined) {
      throw new PlatformValidationError(`additionalRedactions paths must be field paths such as a.b[].c or headers[name=x].value (received: ${JSON.stringify(badPath)})`, this);
    }
    try {
      this.redaction = redactionPlan(spec.audit.sensitiveFields, extra);
    } catch (e) {
      throw new PlatformValidationError(`spec.audit.sensitiveFields: ${(e as Error).message} in additionalRedactions`, this);
    }
    const redactionEnv = Lazy.string({
      produce: () => stack.toJsonString({ groups: Object.fromEntries(this.groups.map((g) => [g.name, g.source])), paths: this.redaction }),
    });

    this.redactionFunction = new PlatformFunction(this, 'Redaction', {
      purpose: `${spec.name} audit log redaction (Firehose processor)`,
      code: REDACTION_CODE,
      logKey: props.logKey,
      logRetentionDays: spec.audit.logRetentionDays,
      timeout: Duration.minutes(1),
      reservedConcurrency: 5,
      environment: { REDACTION: redactionEnv },
      functionName: props.functionName ?? FunctionNames.redaction(spec.name),
    });

    const errorLogs = new logs.LogGroup(this, 'DeliveryErrors', {
      encryptionKey: props.logKey,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
    });
    const errorStream = new logs.LogStream(this, 'DeliveryErrorStream', { logGroup: errorLogs, logStreamName: 'S3Delivery' });

    // L1 stream with a role of exact permissions: the L2 destination grants s3:DeleteObject* on the archive and uses inline policies.
    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': stack.account } } }),
      description: `Firehose delivery of ${spec.name} logs into the audit archive`,
    });
    const fn = this.redactionFunction.function;
    const policy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [props.archiveBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [props.archiveBucket.arnForObjects('logs/*'), props.archiveBucket.arnForObjects('logs-errors/*')],
        }),
        keyUseStatement(props.archiveKey, ['kms:GenerateDataKey', 'kms:Decrypt'], this, 's3'),
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], resources: [fn.functionArn] }),
        new iam.PolicyStatement({
          actions: ['logs:PutLogEvents'],
          resources: [stack.formatArn({
            service: 'logs', resource: 'log-group', resourceName: `${errorLogs.logGroupName}:log-stream:${errorStream.logStreamName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })],
        }),
      ],
    });
    const bucketArn = nagRef(policy, props.archiveBucket.bucketArn);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${bucketArn}/logs/*]`,
      'Firehose names the objects it delivers (time-partitioned keys) at run time; writes are limited to the logs/ prefix of the archive and no delete is granted');
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${bucketArn}/logs-errors/*]`,
      'Firehose names the error objects it delivers at run time; writes are limited to the logs-errors/ prefix of the archive and no delete is granted');

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName ?? SecurityNames.logDeliveryStream(spec),
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: props.logKey.keyArn },
      extendedS3DestinationConfiguration: {
        bucketArn: props.archiveBucket.bucketArn,
        roleArn: role.roleArn,
        prefix: 'logs/!{timestamp:yyyy/MM/dd}/',
        errorOutputPrefix: 'logs-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        compressionFormat: 'GZIP',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 5 },
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.archiveKey.keyArn } },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: errorLogs.logGroupName, logStreamName: errorStream.logStreamName },
        processingConfiguration: {
          enabled: true,
          processors: [{
            type: 'Lambda',
            parameters: [
              { parameterName: 'LambdaArn', parameterValue: fn.functionArn },
              { parameterName: 'NumberOfRetries', parameterValue: '3' },
              { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
              { parameterName: 'BufferSizeInMBs', parameterValue: '1' },
            ],
          }],
        },
      },
    });
    this.deliveryStream.node.addDependency(policy);
    this.deliveryStreamArn = this.deliveryStream.attrArn;

    this.subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
        conditions: { ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) } },
      }),
      description: `CloudWatch Logs subscriptions of ${spec.name} into the audit delivery stream`,
    });
    this.subscriptionPolicy = new iam.ManagedPolicy(this, 'SubscriptionPolicy', {
      roles: [this.subscriptionRole],
      statements: [new iam.PolicyStatement({ actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resources: [this.deliveryStreamArn] })],
    });
    for (const [i, g] of (props.sources ?? []).entries()) this.addSource(`Source${i}`, g.logGroup, g.source);
  }

  /** Streams `logGroup` (a log group of this region holding records of `source`) into the archive. */
  public addSource(id: string, logGroup: logs.ILogGroup, source: LogSource): logs.CfnSubscriptionFilter {
    this.groups.push({ name: logGroup.logGroupName, source });
    const filter = new logs.CfnSubscriptionFilter(this, id, {
      logGroupName: logGroup.logGroupName,
      filterPattern: '',
      destinationArn: this.deliveryStreamArn,
      roleArn: this.subscriptionRole.roleArn,
    });
    filter.node.addDependency(this.subscriptionPolicy);
    return filter;
  }
}
