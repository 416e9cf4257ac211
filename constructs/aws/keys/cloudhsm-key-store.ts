import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudhsm from 'aws-cdk-lib/aws-cloudhsm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { acknowledgeAwsCustomResourcePolicy, acknowledgeCustomResourceProvider } from '../common/custom-resource-provider';

/** What the operators did after the first deployment (see CloudHsmKeyStore): enables the KMS custom key store. */
export interface CloudHsmInitialization {
  /** PEM of the certificate that signed the cluster CSR (`customerCA.crt`), the key store's trust anchor. */
  readonly trustAnchorCertificate: string;
  /** Secret holding the `kmsuser` crypto user's password in its `password` JSON field. */
  readonly kmsUserPasswordSecret: secretsmanager.ISecret;
  /**
   * Create the HSM-backed key (`Origin: AWS_CLOUDHSM`) and its alias `alias/<platform>/data-hsm`. Set it once the
   * key store shows CONNECTED (connecting takes up to 20 minutes after the deploy that creates the store).
   * @default false
   */
  readonly createKey?: boolean;
}

export interface CloudHsmKeyStoreProps {
  /** The resolved spec (name; the construct is meant for `spec.keys.hsmBacked`). */
  readonly spec: ResolvedSpec;
  /** Key that encrypts the VPC flow logs of a created VPC (PlatformKeys.logs). */
  readonly logKey: kms.IKey;
  /**
   * VPC whose private isolated subnets hold the HSMs (one subnet in each of at least two AZs).
   * @default - a new VPC with two AZs of isolated subnets, no internet access, flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * HSMs, spread over the AZs (KMS requires at least two in different AZs).
   * @default 2
   */
  readonly hsmCount?: number;
  /**
   * HSM type.
   * @default 'hsm2m.medium'
   */
  readonly hsmType?: string;
  /**
   * Present after the manual initialization: creates and connects the KMS custom key store (and the key).
   * @default - cluster and HSMs only (phase 1)
   */
  readonly initialization?: CloudHsmInitialization;
}

/**
 * A CloudHSM cluster in FIPS mode with HSMs in two AZs and, once initialized, a KMS custom key store with an
 * HSM-backed key for the data purpose. Off by default; for `spec.keys.hsmBacked` (the PCI profile's "HSM-backed keys").
 *
 * **Cost**: each HSM is billed hourly (about USD 1.5-2 per hour, so ~USD 2,200-2,900 a month for two) from creation
 * until deletion, plus backups; a KMS key in a custom key store costs the usual USD 1 a month.
 *
 * **What cannot be automated** (CloudHSM requires a human-held CA and crypto-officer credentials):
 * 1. Deploy (phase 1): cluster + HSMs. Wait for the cluster state `UNINITIALIZED`.
 * 2. Download the cluster CSR (`aws cloudhsmv2 describe-clusters`), sign it with your CA (kept offline), and run
 *    `aws cloudhsmv2 initialize-cluster --signed-cert ... --trust-anchor customerCA.crt`.
 * 3. From a host in the VPC with the CloudHSM CLI: activate the cluster (set the admin password), create the crypto
 *    user `kmsuser` with a strong password, and store that password in Secrets Manager as `{"password": "..."}`.
 * 4. Deploy again with `initialization: { trustAnchorCertificate, kmsUserPasswordSecret }`: the key store is created
 *    and a connection is requested. Wait until it shows `CONNECTED`.
 * 5. Deploy again with `createKey: true`: the HSM-backed key and its alias are created.
 *
 * KMS supports neither automatic rotation nor multi-region for HSM-backed keys: rotate by creating a new key and
 * moving the alias (document each rotation in the key-management procedure; the cdk-nag rotation rules do not apply
 * to keys created through the API). Deleting the stack schedules the key for deletion (30 days) and deletes the HSMs;
 * the cluster itself is retained with its backups.
 */
export class CloudHsmKeyStore extends Construct {
  public readonly vpc: ec2.IVpc;
  public readonly cluster: cloudhsm.CfnCluster;
  /** Custom key store id (after initialization). */
  public readonly customKeyStoreId?: string;
  /** ARN of the HSM-backed key (when `createKey`). */
  public readonly keyArn?: string;

  constructor(scope: Construct, id: string, props: CloudHsmKeyStoreProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const count = props.hsmCount ?? 2;
    if (!Number.isInteger(count) || count < 2 || count > 28) {
      throw new PlatformValidationError(`hsmCount must be an integer from 2 to 28 (received: ${count}); KMS custom key stores need at least two HSMs in different AZs`, this);
    }
    const init = props.initialization;
    if (init && !init.trustAnchorCertificate.includes('BEGIN CERTIFICATE')) {
      throw new PlatformValidationError('initialization.trustAnchorCertificate must be the PEM of the CA certificate that signed the cluster CSR (received: text without "BEGIN CERTIFICATE"); pass the contents of customerCA.crt', this);
    }

    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'hsm', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 }],
        // CloudHSM attaches its own cluster security group; the default one must allow nothing.
        restrictDefaultSecurityGroup: true,
      });
      const flowLogs = new logs.LogGroup(this, 'FlowLogs', { encryptionKey: props.logKey, retention: spec.audit.logRetentionDays as logs.RetentionDays });
      const flowRole = new iam.Role(this, 'FlowLogRole', { assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }) });
      const flowPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
        roles: [flowRole],
        statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] })],
      });
      const flowLog = vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowRole.withoutPolicyUpdates()),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      flowLog.node.addDependency(flowPolicy);
      this.vpc = vpc;
    }
    const subnets = this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    if (subnets.subnets.length < 2) {
      throw new PlatformValidationError(`vpc must have private isolated subnets in at least two AZs (received: ${subnets.subnets.length}); add isolated subnets or let the construct create its VPC`, this);
    }

    this.cluster = new cloudhsm.CfnCluster(this, 'Cluster', {
      hsmType: props.hsmType ?? 'hsm2m.medium',
      mode: 'FIPS',
      subnetIds: subnets.subnetIds,
      backupRetentionPolicy: { type: 'DAYS', value: '90' },
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const clusterArn = stack.formatArn({ service: 'cloudhsm', resource: 'cluster', resourceName: this.cluster.attrClusterId });

    for (let i = 0; i < count; i++) {
      const az = subnets.subnets[i % subnets.subnets.length].availabilityZone;
      const hsm = new cr.AwsCustomResource(this, `Hsm${i + 1}`, {
        onCreate: {
          service: 'CloudHSMV2',
          action: 'createHsm',
          parameters: { ClusterId: this.cluster.attrClusterId, AvailabilityZone: az },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('Hsm.HsmId'),
        },
        onDelete: {
          service: 'CloudHSMV2',
          action: 'deleteHsm',
          parameters: { ClusterId: this.cluster.attrClusterId, HsmId: new cr.PhysicalResourceIdReference() },
        },
        installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['cloudhsm:CreateHsm', 'cloudhsm:DeleteHsm'], resources: [clusterArn],
        }), new iam.PolicyStatement({
          // CreateHsm places an ENI in the cluster's subnet with the caller's EC2 permissions.
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
        })]),
      });
      acknowledgeAwsCustomResourcePolicy(hsm);
      acknowledge(hsm, 'AwsSolutions-IAM5[Resource::*]',
        'CloudHSM CreateHsm creates the HSM network interface with the caller\'s EC2 permissions; those EC2 actions support no resource-level scoping before the interface exists; limited to this region');
    }

    if (init) {
      const password = init.kmsUserPasswordSecret.secretValueFromJson('password').unsafeUnwrap();
      const storeName = `${spec.name}-hsm`;
      const store = new cr.AwsCustomResource(this, 'KeyStore', {
        onCreate: {
          service: 'KMS',
          action: 'createCustomKeyStore',
          parameters: {
            CustomKeyStoreName: storeName,
            CloudHsmClusterId: this.cluster.attrClusterId,
            TrustAnchorCertificate: init.trustAnchorCertificate,
            KeyStorePassword: password,
          },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('CustomKeyStoreId'),
          // The password (a dynamic reference resolved by CloudFormation) must never reach the provider's logs.
          logging: cr.Logging.withDataHidden(),
        },
        onDelete: { service: 'KMS', action: 'deleteCustomKeyStore', parameters: { CustomKeyStoreId: new cr.PhysicalResourceIdReference() } },
        installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['kms:CreateCustomKeyStore', 'kms:DeleteCustomKeyStore', 'kms:ConnectCustomKeyStore', 'kms:DisconnectCustomKeyStore', 'cloudhsm:DescribeClusters'],
          resources: ['*'],
        })]),
      });
      acknowledgeAwsCustomResourcePolicy(store);
      acknowledge(store, 'AwsSolutions-IAM5[Resource::*]',
        'KMS custom key store actions and cloudhsm:DescribeClusters support no resource-level permissions (the store id does not exist before creation)');
      this.customKeyStoreId = store.getResponseField('CustomKeyStoreId');
      const connect = new cr.AwsCustomResource(this, 'Connect', {
        onCreate: {
          service: 'KMS',
          action: 'connectCustomKeyStore',
          parameters: { CustomKeyStoreId: this.customKeyStoreId },
          physicalResourceId: cr.PhysicalResourceId.of(`${storeName}-connection`),
        },
        onDelete: { service: 'KMS', action: 'disconnectCustomKeyStore', parameters: { CustomKeyStoreId: this.customKeyStoreId } },
        installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['kms:ConnectCustomKeyStore', 'kms:DisconnectCustomKeyStore'], resources: ['*'],
        })]),
      });
      acknowledgeAwsCustomResourcePolicy(connect);
      acknowledge(connect, 'AwsSolutions-IAM5[Resource::*]', 'kms:ConnectCustomKeyStore and kms:DisconnectCustomKeyStore support no resource-level permissions');

      if (init.createKey) {
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` }, Action: 'kms:*', Resource: '*' }],
        });
        const key = new cr.AwsCustomResource(this, 'Key', {
          onCreate: {
            service: 'KMS',
            action: 'createKey',
            parameters: { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: this.customKeyStoreId, KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Description: `${spec.name} data key (CloudHSM-backed)`, Policy: policy },
            physicalResourceId: cr.PhysicalResourceId.fromResponse('KeyMetadata.KeyId'),
            outputPaths: ['KeyMetadata.Arn', 'KeyMetadata.KeyId'],
          },
          onDelete: { service: 'KMS', action: 'scheduleKeyDeletion', parameters: { KeyId: new cr.PhysicalResourceIdReference(), PendingWindowInDays: 30 } },
          installLatestAwsSdk: false,
          policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['kms:CreateKey', 'kms:ScheduleKeyDeletion'], resources: ['*'] })]),
        });
        key.node.addDependency(connect);
        acknowledgeAwsCustomResourcePolicy(key);
        acknowledge(key, 'AwsSolutions-IAM5[Resource::*]', 'kms:CreateKey has no resource (the key does not exist yet); kms:ScheduleKeyDeletion targets only the key this resource created');
        this.keyArn = key.getResponseField('KeyMetadata.Arn');
        new kms.CfnAlias(this, 'KeyAlias', { aliasName: `alias/${spec.name}/data-hsm`, targetKeyId: key.getResponseField('KeyMetadata.KeyId') });
      }
    }
    acknowledgeCustomResourceProvider(this);
  }
}
