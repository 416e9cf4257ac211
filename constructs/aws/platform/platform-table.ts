import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { DYNAMODB_REPLICATION_ROLE, RoleNames, TABLE_WRITE_ACTIONS, TableNames } from '../../../lib/spec/contracts/names';
import { SecurityNames } from '../common/security-names';

export interface PlatformTableProps {
  readonly spec: ResolvedSpec;
  /** The data key in this (the primary) region: a multi-region primary key whose replicas carry the same alias. */
  readonly key: kms.IKey;
  /**
   * The key of the primary replica instead of `key` (the CloudHSM-backed key of `spec.keys.hsmBacked`); the replicas
   * in the secondary regions keep their region's data key.
   * @default - `key`
   */
  readonly primaryReplicaKey?: kms.IKey;
}

/**
 * The DynamoDB global table the authorizer and the operators' CLI share: revocations (`REVOKED#...`), API-key
 * hashes (`APIKEY#<sha256>`) and tenants (`TENANT#<id>`), keyed `pk`/`sk` with a `ttl` attribute. Replicas in
 * every region, point-in-time recovery, deletion protection, retained on stack deletion, and encrypted with
 * the platform's data key: each replica with the key of its own region, addressed by its computed alias ARN
 * (no cross-region token, no cycle between the table and the regional keys).
 *
 * Writes are the operators' alone: each replica's resource policy denies every item write (PutItem, UpdateItem,
 * DeleteItem, BatchWriteItem, the PartiQL writes; transactions authorize as these) to any principal other than the
 * operators' role `<platform>-operators` (see `OperatorsRole`) and DynamoDB's replication service-linked role, whatever
 * their IAM policies allow. The authorizer and the pre-token-generation trigger only read.
 */
export class PlatformTable extends Construct {
  public readonly table: dynamodb.TableV2;
  public readonly tableName: string;
  /** The principals allowed to write items (`aws:PrincipalArn`): the operators' role and DynamoDB replication. */
  public readonly writers: string[];

  constructor(scope: Construct, id: string, props: PlatformTableProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    if (stack.region !== spec.primaryRegion) {
      throw new PlatformValidationError(`PlatformTable belongs in the primary region ${spec.primaryRegion} (received: a stack in ${stack.region}); create it in the global stack`, this);
    }
    this.tableName = TableNames.global(spec.name);
    const iamArn = (path: string) => `arn:${stack.partition}:iam::${stack.account}:role/${path}`;
    this.writers = [iamArn(`${RoleNames.path(spec.name).slice(1)}${RoleNames.operators(spec.name)}`), iamArn(DYNAMODB_REPLICATION_ROLE)];
    const writeGuard = (region: string) => new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'OnlyOperatorsWriteItems',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...TABLE_WRITE_ACTIONS],
        resources: [stack.formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: this.tableName })],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.writers } },
      })],
    });
    const replicaKeyArns = Object.fromEntries(
      spec.secondaryRegions.map((r) => [r, stack.formatArn({ service: 'kms', region: r, resource: SecurityNames.keyAlias(spec, 'data') })]),
    );
    this.table = new dynamodb.TableV2(this, 'Resource', {
      tableName: this.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.primaryReplicaKey ?? props.key, replicaKeyArns),
      resourcePolicy: writeGuard(stack.region),
      replicas: spec.secondaryRegions.map((region) => ({
        region, deletionProtection: true, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true }, resourcePolicy: writeGuard(region),
      })),
    });
  }
}

export interface IdempotencyTableProps {
  readonly spec: ResolvedSpec;
  /** The data key of this region. */
  readonly key: kms.IKey;
}

/**
 * A regional table for idempotency records (Powertools idempotency, `id` key, `expiration` TTL). Regional on
 * purpose: a global table replicates eventually, so it cannot make a write idempotent across regions.
 */
export class IdempotencyTable extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Resource', {
      tableName: TableNames.idempotency(props.spec.name),
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key),
    });
  }
}
