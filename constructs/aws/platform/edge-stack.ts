import { Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ResolvedSpec } from '../../../lib/spec';
import { FunctionNames } from '../../../lib/spec/contracts/names';
import { AuditLogShipping } from '../audit/log-shipping';
import { SecurityNames } from '../common/security-names';
import { EdgeDistribution } from '../edge/edge-distribution';

/** Props of `EdgeStack`. */
export interface EdgeStackProps extends StackProps {
  /** The resolved platform spec. */
  readonly spec: ResolvedSpec;
  /**
   * Key of the CloudFront web ACL and access log groups.
   * @default - `EdgeDistribution` creates a key for them
   */
  readonly logKey?: kms.IKey;
  /** Key of the us-east-1 archive. */
  readonly archiveKey: kms.IKey;
  /** Key of the shipping stream and its function's logs (its policy lets CloudWatch Logs use it). */
  readonly shippingKey: kms.IKey;
}

/**
 * us-east-1: CloudFront, its web ACL and Shield Advanced protections; their logs (CloudFront access logs, web ACL logs)
 * shipped redacted to the us-east-1 archive (`<platform>-audit-<account>-us-east-1`) by the `<platform>-edge-audit-logs` stream.
 */
export class EdgeStack extends Stack {
  public readonly edge: EdgeDistribution;
  public readonly logShipping: AuditLogShipping;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const spec = props.spec;
    this.edge = new EdgeDistribution(this, 'Edge', { spec, logKey: props.logKey });
    const archiveBucket = s3.Bucket.fromBucketAttributes(this, 'Archive', { bucketName: SecurityNames.auditArchiveBucket(spec, this.region), encryptionKey: props.archiveKey });
    this.logShipping = new AuditLogShipping(this, 'LogShipping', {
      spec,
      archiveBucket,
      archiveKey: props.archiveKey,
      logKey: props.shippingKey,
      deliveryStreamName: SecurityNames.edgeLogDeliveryStream(spec),
      functionName: FunctionNames.edgeRedaction(spec.name),
      sources: [{ logGroup: this.edge.logGroup, source: 'waf' }, { logGroup: this.edge.accessLogGroup, source: 'cloudfront' }],
    });
  }
}
