import { Aws } from 'aws-cdk-lib';
import { ResolvedSpec } from '../../../lib/spec';
import { AuditMetrics, AuthorizerMetrics } from '../../../lib/spec/contracts/metrics';

/** What a platform KMS key protects. One customer-managed key per purpose and region. */
export const KeyPurpose = {
  /** CloudWatch Logs log groups, the alarm topic, Firehose streams. */
  LOGS: 'logs',
  /** Application data: DynamoDB tables, S3 data buckets. */
  DATA: 'data',
  /** The audit trail and the WORM archive. */
  AUDIT: 'audit',
  /** Secrets Manager secrets. */
  SECRETS: 'secrets',
} as const;
export type KeyPurpose = (typeof KeyPurpose)[keyof typeof KeyPurpose];
export const KEY_PURPOSES: readonly KeyPurpose[] = [KeyPurpose.LOGS, KeyPurpose.DATA, KeyPurpose.AUDIT, KeyPurpose.SECRETS];

/**
 * Names of the keys, audit and observability resources, computed from the platform name (and the account and
 * region where a name must be globally unique), so a stack in one region can address a resource of another
 * without a cross-region reference. `account` defaults to the deploying account (`AWS::AccountId`).
 */
export const SecurityNames = {
  /** KMS alias of a platform key: `alias/<platform>/<purpose>`, the same in every region. */
  keyAlias: (spec: ResolvedSpec, purpose: KeyPurpose): string => `alias/${spec.name}/${purpose}`,
  /** KMS alias of the CloudHSM-backed key (primary region, `spec.keys.hsmBacked`): it encrypts the platform table's primary replica. */
  hsmKeyAlias: (spec: ResolvedSpec): string => `alias/${spec.name}/data-hsm`,
  /** S3 bucket of the WORM audit archive in `region` (globally unique through account and region). */
  auditArchiveBucket: (spec: ResolvedSpec, region: string, account: string = Aws.ACCOUNT_ID): string =>
    `${spec.name}-audit-${account}-${region}`,
  /** S3 bucket that receives the archive's server access logs (S3 cannot log a bucket into itself). */
  accessLogsBucket: (spec: ResolvedSpec, region: string, account: string = Aws.ACCOUNT_ID): string =>
    `${spec.name}-audit-logs-${account}-${region}`,
  /** The multi-region CloudTrail trail (primary region). */
  trail: (spec: ResolvedSpec): string => `${spec.name}-trail`,
  /** CloudWatch Logs group the trail delivers to (primary region). */
  trailLogGroup: (spec: ResolvedSpec): string => `/${spec.name}/audit/cloudtrail`,
  /** Firehose stream that ships API access logs and WAF logs to the archive (per region). */
  logDeliveryStream: (spec: ResolvedSpec): string => `${spec.name}-audit-logs`,
  /** Firehose stream that ships the edge's logs (CloudFront, the CLOUDFRONT web ACL) to the us-east-1 archive. */
  edgeLogDeliveryStream: (spec: ResolvedSpec): string => `${spec.name}-edge-audit-logs`,
  /** SNS topic of the security alarms (per region). */
  alarmTopic: (spec: ResolvedSpec): string => `${spec.name}-security-alarms`,
  /** Namespace of the metrics the platform derives from logs (metric filters). */
  auditMetricsNamespace: AuditMetrics.namespace,
  /** Namespace of the authorizer's embedded-metric-format decisions. */
  authorizerMetricsNamespace: AuthorizerMetrics.namespace,
} as const;
