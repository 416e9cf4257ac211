import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { DYNAMODB_REPLICATION_ROLE, RoleNames } from '../../../lib/spec/contracts/names';
import { acknowledgeAwsCustomResourcePolicy, acknowledgeCustomResourceProvider } from '../common/custom-resource-provider';
import { nagKeyWildcard } from '../common/key-grants';
import { KEY_PURPOSES, KeyPurpose, SecurityNames } from '../common/security-names';

export interface PlatformKeysProps {
  /** The resolved platform spec (name, regions). */
  readonly spec: ResolvedSpec;
  /**
   * Multi-region keys: primary keys in the spec's primary region, `AWS::KMS::ReplicaKey` replicas in the secondary
   * regions (same key material, so data encrypted in one region decrypts in another). Off: an independent key per region.
   * @default true when the spec has secondary regions
   */
  readonly multiRegion?: boolean;
  /**
   * ARNs of the primary keys, for replicas in a secondary region. Without them the replica looks the primary up
   * by its computed alias in the primary region at deploy time (a `kms:DescribeKey` call), so no token crosses regions.
   * @default - looked up by alias `alias/<platform>/<purpose>` in the primary region
   */
  readonly primaryKeyArns?: Partial<Record<KeyPurpose, string>>;
  /**
   * Automatic rotation period of the primary keys (replicas share the primary's rotation).
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;
  /**
   * Waiting period before a scheduled key deletion completes (7 to 30 days).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
  /**
   * Roles of this account that use a key outside a service integration (e.g. the CLI's role for the data key).
   * @default - none: only the account's IAM policies (root delegation) and the listed services
   */
  readonly additionalUsers?: Partial<Record<KeyPurpose, iam.IPrincipal[]>>;
  /**
   * ARN pattern (`aws:PrincipalArn`, ArnLike) of the role CloudFormation deploys with: creating a table, a secret,
   * a delivery stream or a function with an encrypted environment makes the service call KMS as the deployer.
   * @default - the CDK bootstrap's execution roles of this account, `role/cdk-*-cfn-exec-role-<account>-*`
   */
  readonly deployRoleArnPattern?: string;
}

/**
 * The platform's customer-managed KMS keys in one region: one per purpose (logs, data, audit, secrets), rotated,
 * retained on stack deletion, each with the alias `alias/<platform>/<purpose>` and a key policy that is the whole
 * truth about who may use the key. The account's root is granted key administration only (describe, enable/disable,
 * rotation, aliases, tags, key policy, deletion), never use (Encrypt, Decrypt, GenerateDataKey, CreateGrant), so no
 * IAM policy can grant use of a key. Use is granted, in this account, through the purpose's services only
 * (`kms:ViaService`) and to the purpose's principals only (`aws:PrincipalArn`): the platform's roles, named by
 * their IAM path `role/<platform>/*` because most are created later, by other stacks, with generated names; the
 * deployer (CloudFormation creating tables, secrets, streams and functions); and the service principals:
 *
 * | purpose | granted to |
 * |---|---|
 * | logs | CloudWatch Logs (`kms:EncryptionContext:aws:logs:arn` of this account), CloudWatch alarms and EventBridge (publishing to the encrypted alarm topic), the platform's roles and the deployer via SNS, Firehose and Lambda (encrypted environments) |
 * | data | the platform's roles (the operators' included), the deployer and DynamoDB's replication role via DynamoDB and S3 |
 * | audit | CloudTrail (`kms:EncryptionContext:aws:cloudtrail:arn` of this account's trails, `aws:SourceAccount`), the platform's roles and the deployer via S3 and Firehose |
 * | secrets | the platform's roles and the deployer via Secrets Manager |
 *
 * Statements that other constructs add to a key's policy (aws-cdk-lib's grants to the account through a service)
 * are not rendered: the policy stays the one above.
 *
 * In the primary region the keys are multi-region primary keys; in a secondary region they are replicas of them
 * (`kms.CfnReplicaKey`), addressed by the same alias. Other stacks reach them with `PlatformKeys.fromAlias`.
 */
export class PlatformKeys extends Construct {
  /** The key of each purpose (an `IKey` over the replica in a secondary region). */
  public static fromAlias(scope: Construct, id: string, spec: ResolvedSpec, purpose: KeyPurpose): kms.IKey {
    return kms.Alias.fromAliasName(scope, id, SecurityNames.keyAlias(spec, purpose));
  }

  /**
   * The key of `purpose` in this stack's region as a real key ARN (resolved at deploy time through its alias), for
   * services that refuse alias ARNs (CloudWatch Logs, S3 replication targets aside). Use it in stacks other than the
   * one holding PlatformKeys; it adds one AwsCustomResource (and the stack's shared provider function).
   */
  public static fromLookup(scope: Construct, id: string, spec: ResolvedSpec, purpose: KeyPurpose): kms.IKey {
    const holder = new Construct(scope, id);
    const arn = lookupKeyArn(holder, 'Lookup', SecurityNames.keyAlias(spec, purpose), Stack.of(scope).region);
    return kms.Key.fromKeyArn(holder, 'Key', arn);
  }

  public readonly logs: kms.IKey;
  public readonly data: kms.IKey;
  public readonly audit: kms.IKey;
  public readonly secrets: kms.IKey;
  /** The keys by purpose. */
  public readonly keys: Readonly<Record<KeyPurpose, kms.IKey>>;
  /** Whether this region holds replicas (a secondary region of a multi-region platform). */
  public readonly isReplica: boolean;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const spec = props.spec;
    const region = stack.region;
    if (Token.isUnresolved(region)) {
      throw new PlatformValidationError(
        `PlatformKeys needs a region-specific stack (received: an environment-agnostic stack, region ${region}); set env: { region } on the stack so primary keys and replicas can be told apart`,
        this,
      );
    }
    if (!spec.regions.includes(region)) {
      throw new PlatformValidationError(
        `PlatformKeys: the stack's region must be one of spec.regions (received: ${region}; spec.regions: ${spec.regions.join(', ')}); add the region to spec.regions.secondaries or deploy the keys in a platform region`,
        this,
      );
    }
    const rotationDays = props.rotationPeriod?.toDays() ?? 365;
    if (rotationDays < 90 || rotationDays > 2560) {
      throw new PlatformValidationError(`rotationPeriod must be between 90 and 2560 days (received: ${rotationDays} days); KMS accepts no other period`, this);
    }
    const pendingDays = props.pendingWindow?.toDays() ?? 30;
    if (pendingDays < 7 || pendingDays > 30) {
      throw new PlatformValidationError(`pendingWindow must be between 7 and 30 days (received: ${pendingDays} days)`, this);
    }
    const multiRegion = props.multiRegion ?? spec.secondaryRegions.length > 0;
    this.isReplica = multiRegion && region !== spec.primaryRegion;

    const keys = new Map<KeyPurpose, kms.IKey>();
    const users = new Map(Object.entries(props.additionalUsers ?? {}));
    const primaryArns = new Map(Object.entries(props.primaryKeyArns ?? {}));
    for (const purpose of KEY_PURPOSES) {
      const statements = keyPolicyStatements(stack, spec, purpose, users.get(purpose) ?? [], props.deployRoleArnPattern);
      const aliasName = SecurityNames.keyAlias(spec, purpose);
      const label = cap(purpose);
      if (this.isReplica) {
        const primaryArn = primaryArns.get(purpose) ?? this.lookupPrimary(label, aliasName, spec.primaryRegion);
        const policy = new iam.PolicyDocument({ statements: [adminStatement(), ...statements] });
        const replica = new kms.CfnReplicaKey(this, label, {
          primaryKeyArn: primaryArn,
          keyPolicy: policy,
          description: `${spec.name} ${purpose} key (replica of the ${spec.primaryRegion} primary)`,
          pendingWindowInDays: pendingDays,
          enabled: true,
        });
        replica.applyRemovalPolicy(RemovalPolicy.RETAIN);
        new kms.CfnAlias(this, `${label}Alias`, { aliasName, targetKeyId: replica.attrKeyId });
        keys.set(purpose, kms.Key.fromKeyArn(this, `${label}Ref`, replica.attrArn));
      } else {
        const key = new kms.Key(this, label, {
          description: `${spec.name} ${purpose} key`,
          enableKeyRotation: true,
          rotationPeriod: Duration.days(rotationDays),
          multiRegion,
          pendingWindow: Duration.days(pendingDays),
          removalPolicy: RemovalPolicy.RETAIN,
          alias: aliasName,
          policy: new iam.PolicyDocument({ statements: [adminStatement(), ...statements] }),
        });
        renderOnlyOwnPolicy(key, [adminStatement(), ...statements]);
        keys.set(purpose, key);
      }
    }
    const get = (p: KeyPurpose): kms.IKey => keys.get(p)!;
    this.logs = get(KeyPurpose.LOGS);
    this.data = get(KeyPurpose.DATA);
    this.audit = get(KeyPurpose.AUDIT);
    this.secrets = get(KeyPurpose.SECRETS);
    this.keys = { logs: this.logs, data: this.data, audit: this.audit, secrets: this.secrets };
  }

  /** The primary key's ARN, read from the primary region by its alias at deploy time. */
  private lookupPrimary(label: string, aliasName: string, primaryRegion: string): string {
    return lookupKeyArn(this, `${label}PrimaryLookup`, aliasName, primaryRegion);
  }
}

/**
 * The ARN of the key behind `aliasName` in `region`, read at deploy time with `kms:DescribeKey` (an AwsCustomResource),
 * so neither the key id nor a cross-stack token is needed at synth.
 */
export function lookupKeyArn(scope: Construct, id: string, aliasName: string, region: string): string {
  const stack = Stack.of(scope);
  const call: cr.AwsSdkCall = {
    service: 'KMS',
    action: 'describeKey',
    region,
    parameters: { KeyId: aliasName },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('KeyMetadata.Arn'),
    outputPaths: ['KeyMetadata.Arn'],
  };
  const lookup = new cr.AwsCustomResource(scope, id, {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['kms:DescribeKey'],
      resources: [stack.formatArn({ service: 'kms', region, resource: 'key', resourceName: '*' })],
      conditions: { 'ForAnyValue:StringEquals': { 'kms:RequestAlias': aliasName } },
    })]),
  });
  acknowledge(lookup, `AwsSolutions-IAM5[Resource::${nagKeyWildcard(stack, region)}]`,
    'The key id is generated by KMS and unknown at synth; kms:DescribeKey is limited to the one key reached through the platform alias by the kms:RequestAlias condition');
  acknowledgeAwsCustomResourcePolicy(lookup);
  acknowledgeCustomResourceProvider(scope);
  return lookup.getResponseField('KeyMetadata.Arn');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What the account's IAM policies may do with a platform key: administer it, never use it (no Encrypt, Decrypt,
 * GenerateDataKey, ReEncrypt, CreateGrant), so an IAM policy cannot re-grant what the key policy withholds.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand', 'kms:ListKeyRotations', 'kms:EnableKey', 'kms:DisableKey', 'kms:UpdateKeyDescription', 'kms:CreateAlias',
  'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListResourceTags', 'kms:RevokeGrant',
  'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:ReplicateKey', 'kms:UpdatePrimaryRegion',
];

/** The account administers the key through IAM policies (use is granted by the key policy alone). */
export function adminStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'KeyAdministration',
    principals: [new iam.AccountRootPrincipal()],
    actions: KEY_ADMIN_ACTIONS,
    resources: ['*'],
  });
}

/**
 * Renders exactly `statements` as the key's policy: statements that other constructs add later (aws-cdk-lib grants to
 * the account through a service, which would hand use back to IAM policies) are not rendered.
 */
export function renderOnlyOwnPolicy(key: kms.Key, statements: iam.PolicyStatement[]): void {
  (key.node.defaultChild as kms.CfnKey).addPropertyOverride('KeyPolicy', new iam.PolicyDocument({ statements }));
}

const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** The whole policy of a platform key for `purpose` in `stack`'s region: administration, then the purpose's use. */
export function platformKeyPolicy(stack: Stack, spec: ResolvedSpec, purpose: KeyPurpose): iam.PolicyStatement[] {
  return [adminStatement(), ...keyPolicyStatements(stack, spec, purpose, [])];
}

/** `aws:PrincipalArn` patterns of the platform's roles and of the deployer. */
export function platformKeyUsers(stack: Stack, spec: ResolvedSpec, deployRoleArnPattern?: string): string[] {
  const role = (path: string) => `arn:${stack.partition}:iam::${stack.account}:role/${path}`;
  return [
    role(`${RoleNames.path(spec.name).slice(1)}*`),
    deployRoleArnPattern ?? role(`cdk-*-cfn-exec-role-${stack.account}-*`),
  ];
}

function viaService(stack: Stack, sid: string, services: string[], principals: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    principals: [new iam.AnyPrincipal()],
    actions: [...USE, 'kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': services.map((s) => `${s}.${stack.region}.amazonaws.com`) },
      ArnLike: { 'aws:PrincipalArn': principals },
    },
  });
}

/** The statements of a platform key's policy for `purpose` in `stack`'s region (besides the administration statement). */
export function keyPolicyStatements(
  stack: Stack, spec: ResolvedSpec, purpose: KeyPurpose, users: iam.IPrincipal[], deployRoleArnPattern?: string,
): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  const platform = platformKeyUsers(stack, spec, deployRoleArnPattern);
  if (users.length > 0) {
    out.push(new iam.PolicyStatement({ sid: 'AllowPlatformRoles', principals: users, actions: USE, resources: ['*'] }));
  }
  switch (purpose) {
    case KeyPurpose.LOGS:
      out.push(new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }));
      // Alarms and EventBridge rules publish to the KMS-encrypted alarm topic.
      out.push(new iam.PolicyStatement({
        sid: 'AllowAlarmPublishers',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
      out.push(viaService(stack, 'AllowPlatformViaSnsFirehoseLambda', ['sns', 'firehose', 'lambda'], platform));
      break;
    case KeyPurpose.DATA:
      out.push(viaService(stack, 'AllowPlatformViaDataServices', ['dynamodb', 's3'],
        [...platform, `arn:${stack.partition}:iam::${stack.account}:role/${DYNAMODB_REPLICATION_ROLE}`]));
      break;
    case KeyPurpose.AUDIT:
      out.push(new iam.PolicyStatement({
        sid: 'AllowCloudTrailEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' }) },
        },
      }));
      out.push(new iam.PolicyStatement({
        sid: 'AllowCloudTrailDescribe',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
      out.push(viaService(stack, 'AllowPlatformViaArchiveServices', ['s3', 'firehose'], platform));
      break;
    case KeyPurpose.SECRETS:
      out.push(viaService(stack, 'AllowPlatformViaSecretsManager', ['secretsmanager'], platform));
      break;
  }
  return out;
}
