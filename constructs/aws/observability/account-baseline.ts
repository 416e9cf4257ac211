import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as config from 'aws-cdk-lib/aws-config';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { nagEnv } from '../common/key-grants';

/** AWS Config managed rules that check at run time what the cdk-nag packs check at synth time. */
export const BASELINE_CONFIG_RULES = [
  'CLOUD_TRAIL_ENCRYPTION_ENABLED', 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED', 'MULTI_REGION_CLOUD_TRAIL_ENABLED',
  'CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED', 'CMK_BACKING_KEY_ROTATION_ENABLED', 'S3_BUCKET_SSL_REQUESTS_ONLY',
  'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', 'S3_BUCKET_DEFAULT_LOCK_ENABLED',
  'API_GW_EXECUTION_LOGGING_ENABLED', 'API_GW_ASSOCIATED_WITH_WAF', 'API_GW_SSL_ENABLED', 'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
  'LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED', 'DYNAMODB_PITR_ENABLED', 'SECRETSMANAGER_ROTATION_ENABLED_CHECK',
  'SECRETSMANAGER_USING_CMK', 'GUARDDUTY_ENABLED_CENTRALIZED', 'SECURITYHUB_ENABLED', 'IAM_NO_INLINE_POLICY_CHECK',
] as const;

export interface AccountBaselineProps {
  /**
   * A GuardDuty detector (fails if the account and region already have one).
   * @default true
   */
  readonly guardDuty?: boolean;
  /**
   * Security Hub with the PCI DSS v4.0.1 and NIST SP 800-53 Rev. 5 standards (fails if already enabled).
   * @default true
   */
  readonly securityHub?: boolean;
  /**
   * Bucket the AWS Config recorder delivers to (e.g. the AuditArchive bucket, `config/` prefix). Without it no
   * recorder is created, only the managed rules (for an account whose recorder already runs).
   * @default - no recorder, no delivery channel
   */
  readonly configDeliveryBucket?: s3.IBucket;
  /**
   * AWS Config managed rules.
   * @default true
   */
  readonly configRules?: boolean;
  /**
   * The account-wide CloudWatch Logs role of API Gateway (`AWS::ApiGateway::Account`), needed for execution logs.
   * @default true
   */
  readonly apiGatewayLoggingRole?: boolean;
}

/**
 * What exists once per account and region, created only when asked: `AccountBaseline` is never instantiated by the
 * platform itself, because creating a GuardDuty detector, Security Hub or a Config recorder where one exists fails
 * the deployment. Put it in its own stack per region (`new AccountBaseline(new Stack(app, 'Baseline-eu-west-1', ...))`).
 */
export class AccountBaseline extends Construct {
  public readonly detector?: guardduty.CfnDetector;
  public readonly hub?: securityhub.CfnHub;
  public readonly standards: securityhub.CfnStandard[] = [];
  public readonly recorder?: config.CfnConfigurationRecorder;
  public readonly rules: config.ManagedRule[] = [];
  public readonly apiGatewayAccount?: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: AccountBaselineProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.configRules === false && props.configDeliveryBucket) {
      throw new PlatformValidationError('configDeliveryBucket was given but configRules is false (received: a bucket and false); a recorder without rules checks nothing, set configRules: true or drop the bucket', this);
    }
    if (props.guardDuty ?? true) {
      this.detector = new guardduty.CfnDetector(this, 'GuardDuty', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: ['S3_DATA_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'].map((name) => ({ name, status: 'ENABLED' })),
      });
    }
    if (props.securityHub ?? true) {
      this.hub = new securityhub.CfnHub(this, 'SecurityHub', { enableDefaultStandards: false, controlFindingGenerator: 'SECURITY_CONTROL', autoEnableControls: true });
      for (const [sid, path] of [['PciDss401', 'pci-dss/v/4.0.1'], ['Nist80053', 'nist-800-53/v/5.0.0']] as const) {
        const standard = new securityhub.CfnStandard(this, sid, {
          standardsArn: stack.formatArn({ service: 'securityhub', account: '', resource: 'standards', resourceName: path }),
        });
        standard.addResourceDependency(this.hub);
        this.standards.push(standard);
      }
    }
    let recorderDependency: Construct | undefined;
    if (props.configDeliveryBucket) {
      const role = new iam.Role(this, 'ConfigRole', { assumedBy: new iam.ServicePrincipal('config.amazonaws.com') });
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole'));
      acknowledge(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
        'AWS_ConfigRole is the AWS-maintained read-only policy the Config recorder needs to describe every supported resource type; AWS updates it as resource types are added');
      const bucket = props.configDeliveryBucket;
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowConfigAclCheck',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowConfigDelivery',
        principals: [new iam.ServicePrincipal('config.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`config/AWSLogs/${stack.account}/Config/*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }));
      this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
        roleArn: role.roleArn,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      });
      const channel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
        s3BucketName: bucket.bucketName,
        s3KeyPrefix: 'config',
        configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      });
      channel.addResourceDependency(this.recorder);
      recorderDependency = channel;
    }
    if (props.configRules ?? true) {
      for (const identifier of BASELINE_CONFIG_RULES) {
        const rule = new config.ManagedRule(this, `Rule${identifier}`, { identifier });
        if (recorderDependency) rule.node.addDependency(recorderDependency);
        this.rules.push(rule);
      }
    }
    if (props.apiGatewayLoggingRole ?? true) {
      this.apiGatewayAccount = new ApiGatewayLogsRole(this, 'ApiGatewayLogs').account;
    }
  }
}

/**
 * The account-wide CloudWatch Logs role of API Gateway (`AWS::ApiGateway::Account`): stages with execution logging
 * fail to deploy without it. One per account and region: `SecureApiPlatform` creates it in each regional platform stack
 * unless the spec says it is managed elsewhere (`observability.apiGatewayLogsRole: 'managedElsewhere'`).
 */
export class ApiGatewayLogsRole extends Construct {
  public readonly role: iam.Role;
  public readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'API Gateway account-wide CloudWatch Logs role (execution and access logs)',
    });
    const policy = new iam.ManagedPolicy(this, 'ApiGatewayLogsPolicy', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      })],
    });
    acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${nagEnv(stack.region, '<AWS::Region>')}:${nagEnv(stack.account, '<AWS::AccountId>')}:log-group:*]`,
      'The API Gateway account role serves every API of the account and region; API Gateway names execution log groups API-Gateway-Execution-Logs_<api-id>/<stage> at run time. Scoped to log groups of this account and region (replaces the managed AmazonAPIGatewayPushToCloudWatchLogs policy)');
    this.account = new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: this.role.roleArn });
    this.account.node.addDependency(policy);
  }
}
