import { Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { OperatorsRole } from './operators-role';
import { PlatformTable } from './platform-table';
import { RegionParameters } from './region-parameters';
import { ResolvedSpec } from '../../../lib/spec';
import { operationsAuditLogGroup } from '../../../lib/spec/contracts/names';
import { AuditArchive } from '../audit/audit-archive';
import { AuditTrail } from '../audit/audit-trail';
import { PlatformNames } from '../common/names';
import { SecurityNames } from '../common/security-names';
import { PlatformIdentity } from '../identity/platform-identity';
import { OriginVerifySecret } from '../keys/origin-verify-secret';
import { PlatformKeys } from '../keys/platform-keys';

/** Props of `GlobalDataStack`. */
export interface GlobalDataStackProps extends StackProps {
  /** The resolved platform spec. */
  readonly spec: ResolvedSpec;
  /** The primary region's platform keys (`RegionalKeysStack.keys`). */
  readonly keys: PlatformKeys;
  /**
   * Trail every account of the AWS Organization (deploy in the management account).
   * @default false
   */
  readonly organizationTrail?: boolean;
  /**
   * Encrypt the platform table's primary replica with the CloudHSM-backed key (`alias/<platform>/data-hsm`, created
   * by the primary keys stack once `hsmInitialization.createKey` is set).
   * @default false
   */
  readonly hsmTableKey?: boolean;
}

/** SSM parameter with the comma-joined app client ids of the user pool (published in every region). */
export function clientIdsParameter(spec: ResolvedSpec): string {
  return `/${spec.name}/identity/client-ids`;
}

/**
 * Primary region: what all regions share (global table, operations log, audit archive and trail, user pool,
 * origin-verify secret).
 */
export class GlobalDataStack extends Stack {
  public readonly table: PlatformTable;
  public readonly archive: AuditArchive;
  public readonly trail: AuditTrail;
  public readonly identity?: PlatformIdentity;
  public readonly originVerify?: OriginVerifySecret;
  /** Where the operators' CLI writes its audit line (who, what, when) for every change. */
  public readonly operationsLog: logs.LogGroup;
  /** The role the operators' CLI runs as: the only one the table lets write items. */
  public readonly operators: OperatorsRole;

  constructor(scope: Construct, id: string, props: GlobalDataStackProps) {
    super(scope, id, props);
    const spec = props.spec;
    const keys = props.keys;
    const primaryReplicaKey = props.hsmTableKey ? kms.Alias.fromAliasName(this, 'HsmKey', SecurityNames.hsmKeyAlias(spec)) : undefined;
    this.table = new PlatformTable(this, 'Table', { spec, key: keys.data, primaryReplicaKey });
    this.operators = new OperatorsRole(this, 'Operators', { spec, tableName: this.table.tableName });
    this.operationsLog = new logs.LogGroup(this, 'OperationsLog', {
      logGroupName: operationsAuditLogGroup(spec.name),
      encryptionKey: keys.logs,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: keys.audit });
    this.trail = new AuditTrail(this, 'Trail', {
      spec, bucket: this.archive.bucket, encryptionKey: keys.audit, logKey: keys.logs, organizationTrail: props.organizationTrail,
    });
    if (spec.userPool) {
      this.identity = new PlatformIdentity(this, 'Identity', { spec, table: this.table.table, logKey: keys.logs });
      const clientIds = Object.values(this.identity.clients).map((c) => c.userPoolClientId);
      // Every region reads the pool and its clients by parameter name in its own region (the pool id is not computable).
      new RegionParameters(this, 'IdentityParameters', {
        regions: spec.regions,
        description: `${spec.name}: identity published for the regional authorizers`,
        // PlatformIdentity writes the pool id parameter in this region itself.
        existingLocally: [PlatformNames.userPoolIdParameter(spec)],
        parameters: {
          [PlatformNames.userPoolIdParameter(spec)]: this.identity.userPool.userPoolId,
          ...(clientIds.length > 0 ? { [clientIdsParameter(spec)]: Fn.join(',', clientIds) } : {}),
        },
      });
    }
    if (spec.needsEdge) {
      const replicaRegions = [...spec.secondaryRegions, ...(spec.regions.includes('us-east-1') ? [] : ['us-east-1'])];
      this.originVerify = new OriginVerifySecret(this, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs, replicaRegions });
    }
  }
}
