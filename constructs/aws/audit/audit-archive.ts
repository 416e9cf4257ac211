import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { markAuditArchive } from '../../../lib/compliance/aws/markers';
import { PlatformValidationError } from '../../../lib/errors';
import { ObjectLockMode, ResolvedSpec } from '../../../lib/spec';
import { keyUseStatement, nagKeyWildcard } from '../common/key-grants';
import { SecurityNames } from '../common/security-names';

export interface AuditArchiveProps {
  /** The resolved spec: name, regions, `audit` (retention, demo mode, log retention). */
  readonly spec: ResolvedSpec;
  /** Key that encrypts the archive (PlatformKeys.audit). */
  readonly encryptionKey: kms.IKey;
  /**
   * WORM retention in years. Never below the profiles' minimum; ignored in demo mode (1 day, governance mode).
   * @default - spec.audit.retentionYears (7)
   */
  readonly retentionYears?: number;
  /**
   * Region whose archive bucket receives a replica of every object (Object Lock settings and retention replicate too).
   * `null` turns replication off (a single-region platform; listed in the compliance report as an acknowledgment).
   * @default - the primary region from a secondary region; the first secondary region from the primary; none for a single-region platform
   */
  readonly replicationRegion?: string | null;
}

/**
 * The WORM audit archive of one region: an S3 bucket with Object Lock in COMPLIANCE mode and a default retention of
 * spec.audit (7 years), versioning, SSE-KMS with the audit key and S3 Bucket Keys, public access blocked, TLS-only and
 * deny-delete bucket policies, server access logs to a separate bucket, and replication to the archive bucket of
 * another region (computed name `<platform>-audit-<account>-<region>`, encrypted there with `alias/<platform>/audit`).
 *
 * **A compliance-mode bucket can never be deleted before its objects' retention ends, by anyone, including the
 * root user.** Use `spec.audit.demo` (GOVERNANCE mode, 1-day retention, no deny-delete policy) for anything you
 * intend to tear down. Both buckets are retained when the stack is deleted.
 */
export class AuditArchive extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  /** The replication role, when replication is on. */
  public readonly replicationRole?: iam.Role;
  /** Object Lock mode in force. */
  public readonly objectLockMode: ObjectLockMode;
  /** Default retention in days. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const region = stack.region;
    if (Token.isUnresolved(region)) {
      throw new PlatformValidationError(`AuditArchive needs a region-specific stack (received: region ${region}); set env: { region } on the stack, the bucket name includes it`, this);
    }
    const audit = spec.audit;
    const years = props.retentionYears ?? audit.retentionYears;
    if (!Number.isInteger(years) || years < spec.minimums.auditRetentionYears) {
      throw new PlatformValidationError(
        `retentionYears must be a whole number of years of at least ${spec.minimums.auditRetentionYears}, the minimum of the profiles ${spec.profiles.join(', ')} (received: ${years}); raise it or use spec.audit.demo for a short-lived example`,
        this,
      );
    }
    if (years > 100) {
      throw new PlatformValidationError(`retentionYears must be at most 100 (received: ${years}); Object Lock accepts at most 100 years`, this);
    }
    this.objectLockMode = audit.objectLockMode;
    this.retentionDays = audit.demo ? 1 : years * 365 + Math.floor(years / 4);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      bucketName: SecurityNames.accessLogsBucket(spec, region, stack.account),
      // S3 server access log delivery supports only SSE-S3 on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{
        id: 'expire-access-logs',
        expiration: Duration.days(Math.max(audit.logRetentionDays, 365)),
        noncurrentVersionExpiration: Duration.days(30),
      }],
    });
    // No logging acknowledgment: the packs' S3 logging rules pass a bucket whose policy lets S3 log delivery write to it.
    for (const rule of ['HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS']) {
      acknowledge(this.accessLogsBucket, rule, 'S3 server access log delivery writes only to buckets encrypted with SSE-S3 (AES-256); SSE-KMS targets are not supported by the log delivery service');
    }
    for (const rule of ['HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled']) {
      acknowledge(this.accessLogsBucket, rule, 'Operational access logs of the archive bucket, regenerated per region; the audit records themselves are replicated by the archive bucket');
    }

    this.bucket = new s3.Bucket(this, 'Resource', {
      bucketName: SecurityNames.auditArchiveBucket(spec, region, stack.account),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: audit.demo
        ? s3.ObjectLockRetention.governance(Duration.days(1))
        : s3.ObjectLockRetention.compliance(Duration.days(this.retentionDays)),
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{
        id: 'archive-tiering',
        transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }],
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
    });
    // The platform pack checks the bucket marked as the archive for COMPLIANCE-mode Object Lock and the profile minimum.
    markAuditArchive(this.bucket);
    if (spec.audit.demo) {
      acknowledge(this.bucket, 'SecureApi-AuditBucketObjectLock',
        'Demo mode (spec.audit.demo): governance-mode Object Lock with 1-day retention so the example can be torn down; never used for production records');
    }
    // Server access logging through a bucket policy (never ACLs): only this bucket's log delivery may write.
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: 'archive/',
    };
    this.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowArchiveAccessLogDelivery',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.accessLogsBucket.arnForObjects('archive/*')],
      conditions: { ArnLike: { 'aws:SourceArn': this.bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    if (!audit.demo) {
      // WORM beyond Object Lock: nobody (including administrators) deletes objects, versions or the lock configuration.
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyDelete',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket', 's3:BypassGovernanceRetention', 's3:PutBucketObjectLockConfiguration', 's3:PutLifecycleConfiguration'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }));
    } else {
      Annotations.of(this).addWarningV2('secure-api-platform:audit-demo',
        'spec.audit.demo is on: the audit archive uses GOVERNANCE mode with 1-day retention and no deny-delete policy. Never use it for production.');
    }

    const peer = props.replicationRegion === null ? undefined : props.replicationRegion ?? defaultPeer(spec, region);
    if (peer === region) {
      throw new PlatformValidationError(`replicationRegion must differ from the bucket's own region (received: ${peer}); choose another spec region or null`, this);
    }
    if (peer) {
      this.replicationRole = this.replicate(spec, peer, props.encryptionKey);
    } else {
      const why = props.replicationRegion === null
        ? 'Replication turned off explicitly (replicationRegion: null); durability rests on S3 in-region redundancy across three availability zones'
        : 'Single-region platform: there is no second platform region to replicate to; S3 stores objects redundantly across three availability zones';
      for (const rule of ['HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled']) {
        acknowledge(this.bucket, rule, why);
      }
    }
  }

  private replicate(spec: ResolvedSpec, peer: string, sourceKey: kms.IKey): iam.Role {
    const stack = Stack.of(this);
    const destBucket = SecurityNames.auditArchiveBucket(spec, peer, stack.account);
    const nagAccount = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const destBucketArn = `arn:${stack.partition}:s3:::${destBucket}`;
    const destKeyAlias = SecurityNames.keyAlias(spec, 'audit');
    const role = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `Replicates the ${spec.name} audit archive to ${peer}`,
    });
    const policy = new iam.ManagedPolicy(this, 'ReplicationPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [this.bucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
          resources: [this.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
          resources: [`${destBucketArn}/*`],
        }),
        keyUseStatement(sourceKey, ['kms:Decrypt'], this, 's3'),
        new iam.PolicyStatement({
          actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [stack.formatArn({ service: 'kms', region: peer, resource: 'key', resourceName: '*' })],
          conditions: {
            'StringEquals': { 'kms:ViaService': `s3.${peer}.amazonaws.com` },
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': destKeyAlias },
          },
        }),
      ],
    });
    const objects = 'S3 replication reads and writes object versions whose keys are not known at synth';
    acknowledge(policy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      `${objects}; the statement is limited to the replication read actions on this archive bucket`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${SecurityNames.auditArchiveBucket(spec, peer, nagAccount)}/*]`,
      `${objects}; the statement is limited to the replicate actions on the peer region's archive bucket, addressed by its computed name`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagKeyWildcard(stack, peer)}]`,
      `The peer region's audit key is addressed by its alias ${destKeyAlias} (its id is generated by KMS); kms:ResourceAliases and kms:ViaService limit the statement to that key used by S3`);
    const cfn = this.bucket.node.defaultChild as s3.CfnBucket;
    cfn.replicationConfiguration = {
      role: role.roleArn,
      rules: [{
        id: `to-${peer}`,
        status: 'Enabled',
        priority: 1,
        filter: { prefix: '' },
        deleteMarkerReplication: { status: 'Disabled' },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
        destination: {
          bucket: destBucketArn,
          encryptionConfiguration: { replicaKmsKeyId: stack.formatArn({ service: 'kms', region: peer, resource: destKeyAlias }) },
          storageClass: 'GLACIER_IR',
          replicationTime: { status: 'Enabled', time: { minutes: 15 } },
          metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
        },
      }],
    };
    return role;
  }
}

function defaultPeer(spec: ResolvedSpec, region: string): string | undefined {
  if (spec.regions.length < 2) return undefined;
  return region === spec.primaryRegion ? spec.secondaryRegions[0] : spec.primaryRegion;
}
