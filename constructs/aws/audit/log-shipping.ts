import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { keyUseStatement, nagRef } from '../common/key-grants';
import { PlatformNames } from '../common/names';
import { PlatformFunction } from '../common/platform-function';
import { SecurityNames } from '../common/security-names';

/** Headers whose values never reach the archive, whatever the spec says. */
export const ALWAYS_REDACTED_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', PlatformNames.originVerifyHeader];

/**
 * Firehose record transformation: each record is either CloudWatch Logs subscription data (gzip, `logEvents`) or a
 * raw JSON line (WAF). Every JSON object is walked and the value of any key named in `REDACT_FIELDS` (case-insensitive)
 * becomes `"[REDACTED]"`; WAF's `headers: [{name, value}]` entries with a redacted name likewise. Control messages
 * are dropped; unparseable records are marked `ProcessingFailed` (Firehose writes them to the error prefix).
 */
export const REDACTION_CODE = `
const zlib = require('node:zlib');
const FIELDS = new Set(JSON.parse(process.env.REDACT_FIELDS || '[]').map((f) => String(f).toLowerCase()));
const R = '[REDACTED]';
function redact(v) {
  if (Array.isArray(v)) return v.map(redact);
  if (v === null || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (FIELDS.has(k.toLowerCase())) { out[k] = R; continue; }
    if (typeof x === 'object' && x !== null && typeof x.name === 'string' && 'value' in x && FIELDS.has(x.name.toLowerCase())) { out[k] = { ...x, value: R }; continue; }
    out[k] = redact(x);
  }
  if (typeof out.name === 'string' && 'value' in out && FIELDS.has(out.name.toLowerCase())) out.value = R;
  return out;
}
function line(s) {
  try { return JSON.stringify(redact(JSON.parse(s))); } catch { return JSON.stringify({ unparsed: true, length: s.length }); }
}
exports.redact = redact;
exports.handler = async (event) => ({
  records: event.records.map((r) => {
    try {
      const raw = Buffer.from(r.data, 'base64');
      let text;
      if (raw[0] === 0x1f && raw[1] === 0x8b) {
        const d = JSON.parse(zlib.gunzipSync(raw).toString('utf8'));
        if (d.messageType !== 'DATA_MESSAGE') return { recordId: r.recordId, result: 'Dropped', data: r.data };
        text = d.logEvents.map((e) => line(e.message)).join('\\n') + '\\n';
      } else {
        text = raw.toString('utf8').split('\\n').filter((l) => l.trim()).map(line).join('\\n') + '\\n';
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
   * Log groups streamed to the archive through subscription filters: the APIs' access-log groups and the regional
   * WAF log group (`aws-waf-logs-<platform>-regional`).
   * @default - none (add with `addSource`)
   */
  readonly sources?: logs.ILogGroup[];
  /**
   * Further fields to redact, besides spec.audit.sensitiveFields and the credential headers.
   * @default - none
   */
  readonly additionalRedactedFields?: string[];
}

/**
 * Ships API access logs and WAF logs of one region into the WORM archive (`logs/` prefix, GZIP, 5-minute buffers):
 * CloudWatch Logs subscription filters → a Firehose delivery stream (SSE with the logs key) → a Lambda processor that
 * redacts the spec's sensitive fields and credential headers → S3 (SSE-KMS with the audit key). Failed records go to
 * `logs-errors/`, delivery errors to a KMS-encrypted log group.
 */
export class AuditLogShipping extends Construct {
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  public readonly deliveryStreamArn: string;
  public readonly redactionFunction: PlatformFunction;
  /** Field names redacted (lower case). */
  public readonly redactedFields: string[];
  private readonly subscriptionRole: iam.Role;
  private readonly subscriptionPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AuditLogShippingProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const fields = [...spec.audit.sensitiveFields, ...(props.additionalRedactedFields ?? []), ...ALWAYS_REDACTED_HEADERS];
    const bad = fields.find((f) => typeof f !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(f));
    if (bad !== undefined) {
      throw new PlatformValidationError(`additionalRedactedFields entries must be field names of 1-64 letters, digits, '_', '.' or '-' (received: ${JSON.stringify(bad)}); name the JSON key to redact`, this);
    }
    this.redactedFields = [...new Set(fields.map((f) => f.toLowerCase()))];

    this.redactionFunction = new PlatformFunction(this, 'Redaction', {
      purpose: `${spec.name} audit log redaction (Firehose processor)`,
      code: REDACTION_CODE,
      logKey: props.logKey,
      logRetentionDays: spec.audit.logRetentionDays,
      timeout: Duration.minutes(1),
      reservedConcurrency: 5,
      environment: { REDACT_FIELDS: JSON.stringify(this.redactedFields) },
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
      deliveryStreamName: SecurityNames.logDeliveryStream(spec),
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
    for (const [i, g] of (props.sources ?? []).entries()) this.addSource(`Source${i}`, g);
  }

  /** Streams `logGroup` (an access-log or WAF log group of this region) into the archive. */
  public addSource(id: string, logGroup: logs.ILogGroup): logs.CfnSubscriptionFilter {
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
