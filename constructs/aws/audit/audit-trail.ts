import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { CLOUDTRAIL_DELIVERY_FAILURE_FILTER, CLOUDTRAIL_TAMPERING_FILTER } from '../../../lib/spec/contracts/logs';
import { AuditMetrics } from '../../../lib/spec/contracts/metrics';
import { platformFunctionNames, TableNames } from '../../../lib/spec/contracts/names';
import { nagEnv } from '../common/key-grants';
import { SecurityNames } from '../common/security-names';

/** CloudTrail allows 500 values across all advanced event selectors of a trail. */
export const ADVANCED_SELECTOR_VALUE_LIMIT = 500;

export interface AuditTrailProps {
  /** The resolved spec (name, regions, log retention). */
  readonly spec: ResolvedSpec;
  /** Bucket the trail delivers to: the primary region's AuditArchive bucket. */
  readonly bucket: s3.IBucket;
  /** Key that encrypts the log files (PlatformKeys.audit; its policy grants CloudTrail). */
  readonly encryptionKey: kms.IKey;
  /** Key that encrypts the trail's CloudWatch Logs group (PlatformKeys.logs). */
  readonly logKey: kms.IKey;
  /**
   * Functions whose invocations are recorded as data events (besides the functions the platform names: authorizers,
   * `lambdaBackend` backends and redaction processors in every region, matched by exact computed ARN).
   * @default - none besides the platform-named functions
   */
  readonly functions?: lambda.IFunction[];
  /**
   * Further buckets whose object-level activity is recorded (all data events).
   * @default - none besides the archives
   */
  readonly buckets?: s3.IBucket[];
  /**
   * An organization trail (deploy from the organization's management or delegated administrator account).
   * @default false
   */
  readonly organizationTrail?: boolean;
}

/**
 * The platform's CloudTrail trail, created once, in the primary region: multi-region, global service events,
 * log file validation, SSE-KMS with the audit key, delivery to the WORM archive (`cloudtrail/` prefix) and to a
 * KMS-encrypted CloudWatch Logs group. Advanced event selectors record every management event; Lambda invocations
 * of the platform's functions (exact ARNs of their computed names in each region, and `functions`); writes
 * (`readOnly=false`) to every replica of the platform table; and reads, deletions and retention changes in every
 * audit archive and access-log bucket, us-east-1's included (not their writes: the trail writes there itself, and
 * logging those writes would loop). Metric filters publish
 * `CloudTrailTampering` (StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors) and `CloudTrailDeliveryFailure`
 * (failed S3 or KMS calls made by CloudTrail) to the `SecureApiPlatform/Audit` namespace for SecurityAlarms.
 */
export class AuditTrail extends Construct {
  public readonly trail: cloudtrail.Trail;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.region) && stack.region !== spec.primaryRegion) {
      throw new PlatformValidationError(
        `AuditTrail belongs in the primary region (received a stack in ${stack.region}; spec.regions.primary is ${spec.primaryRegion}); a multi-region trail already records every region`,
        this,
      );
    }
    const logGroupName = SecurityNames.trailLogGroup(spec);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.logKey,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // aws-cdk-lib's Trail writes its bucket-policy statements without source conditions: every statement it adds
    // is given aws:SourceArn (this trail) and aws:SourceAccount, so no other trail can write into the archive.
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: SecurityNames.trail(spec) });
    const bucket: s3.IBucket = Object.create(props.bucket, {
      addToResourcePolicy: {
        value: (statement: iam.PolicyStatement) => {
          statement.addCondition('StringEquals', { 'aws:SourceArn': trailArn, 'aws:SourceAccount': stack.account });
          return props.bucket.addToResourcePolicy(statement);
        },
      },
    });
    this.trail = new cloudtrail.Trail(this, 'Resource', {
      trailName: SecurityNames.trail(spec),
      bucket,
      s3KeyPrefix: 'cloudtrail',
      encryptionKey: props.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      isOrganizationTrail: props.organizationTrail ?? false,
    });
    // CloudWatch Logs delivery through a role with a customer-managed policy (the L2's own role has an inline policy).
    const logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `CloudTrail delivery of ${SecurityNames.trail(spec)} to CloudWatch Logs`,
    });
    const logsPolicy = new iam.ManagedPolicy(this, 'LogsPolicy', {
      roles: [logsRole],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      })],
    });
    acknowledge(logsPolicy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${nagEnv(stack.region, '<AWS::Region>')}:${nagEnv(stack.account, '<AWS::AccountId>')}:log-group:${logGroupName}:log-stream:*]`,
      'CloudTrail names its log streams (<account>_CloudTrail_<region>) at run time; the statement is limited to streams of the trail\'s own log group');
    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = logsRole.roleArn;
    cfnTrail.node.addDependency(logsPolicy);

    const partition = stack.partition;
    const account = stack.account;
    // Exact ARNs of the functions the platform names (lib/spec/contracts/names.ts), in every region they run in.
    const functionArns = [
      ...Object.entries(platformFunctionNames(spec)).flatMap(([r, names]) => names.map((n) => `arn:${partition}:lambda:${r}:${account}:function:${n}`)),
      ...(props.functions ?? []).map((f) => f.functionArn),
    ];
    // Every archive and access-log bucket the platform writes (the regions', and us-east-1's for the edge logs).
    const archiveRegions = spec.archiveRegions;
    const archivePrefixes = archiveRegions.flatMap((r) => [
      `arn:${partition}:s3:::${SecurityNames.auditArchiveBucket(spec, r, account)}/`,
      `arn:${partition}:s3:::${SecurityNames.accessLogsBucket(spec, r, account)}/`,
    ]);
    const tableArns = spec.regions.map((r) => `arn:${partition}:dynamodb:${r}:${account}:table/${TableNames.global(spec.name)}`);
    const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [
      { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
      {
        name: 'Platform Lambda invocations',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::Lambda::Function'] },
          { field: 'resources.ARN', equalTo: functionArns },
        ],
      },
      {
        // Writes only: API keys, revocations and tenants are written by operators; reads happen at API volume.
        name: 'Platform table writes',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::DynamoDB::Table'] },
          { field: 'readOnly', equalTo: ['false'] },
          { field: 'resources.ARN', equalTo: tableArns },
        ],
      },
      {
        name: 'Audit archive reads and deletions',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
          { field: 'resources.ARN', startsWith: archivePrefixes },
          { field: 'eventName', equalTo: ['GetObject', 'DeleteObject', 'DeleteObjects', 'PutObjectRetention', 'PutObjectLegalHold', 'RestoreObject'] },
        ],
      },
    ];
    if (props.buckets && props.buckets.length > 0) {
      selectors.push({
        name: 'Platform bucket objects',
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
          { field: 'resources.ARN', startsWith: props.buckets.map((b) => `${b.bucketArn}/`) },
        ],
      });
    }
    const values = selectors.flatMap((sel) => (sel.fieldSelectors as cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[])
      .flatMap((f) => [...(f.equalTo ?? []), ...(f.startsWith ?? [])])).length;
    if (values > ADVANCED_SELECTOR_VALUE_LIMIT) {
      throw new PlatformValidationError(`the trail's advanced event selectors need ${values} values (received: ${functionArns.length} functions, ${archivePrefixes.length} bucket prefixes, `
        + `${tableArns.length} tables); CloudTrail allows ${ADVANCED_SELECTOR_VALUE_LIMIT}: pass fewer functions or buckets, or split the platform`, this);
    }
    cfnTrail.advancedEventSelectors = selectors;
    // CloudTrail refuses basic and advanced selectors together; the L2 renders an empty basic list.
    cfnTrail.addPropertyDeletionOverride('EventSelectors');

    new logs.MetricFilter(this, 'Tampering', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal(CLOUDTRAIL_TAMPERING_FILTER),
      metricNamespace: AuditMetrics.namespace,
      metricName: AuditMetrics.cloudTrailTampering,
      metricValue: '1',
      defaultValue: 0,
    });
    new logs.MetricFilter(this, 'DeliveryFailure', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal(CLOUDTRAIL_DELIVERY_FAILURE_FILTER),
      metricNamespace: AuditMetrics.namespace,
      metricName: AuditMetrics.cloudTrailDeliveryFailure,
      metricValue: '1',
      defaultValue: 0,
    });
  }
}
