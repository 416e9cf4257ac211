import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ResolvedSpec } from '../../../lib/spec';
import { AuditArchive } from '../audit/audit-archive';
import { SecurityNames } from '../common/security-names';

/** Props of `EdgeKeysStack`. */
export interface EdgeKeysStackProps extends StackProps {
  /** The resolved platform spec. */
  readonly spec: ResolvedSpec;
}

/**
 * us-east-1 keys and archive for what the edge needs there when us-east-1 is not a platform region: the origin-verify
 * secret replica, CloudFront and web ACL logs, and the WORM archive those logs reach (`<platform>-audit-<account>-us-east-1`).
 */
export class EdgeKeysStack extends Stack {
  public readonly secrets: kms.Key;
  public readonly logs: kms.Key;
  /** Key of the us-east-1 archive. */
  public readonly audit: kms.Key;
  /** The archive of the edge's logs (CloudFront, the CLOUDFRONT web ACL). */
  public readonly archive: AuditArchive;

  constructor(scope: Construct, id: string, props: EdgeKeysStackProps) {
    super(scope, id, props);
    const spec = props.spec;
    this.secrets = new kms.Key(this, 'Secrets', {
      alias: `alias/${spec.name}/secrets`,
      enableKeyRotation: true,
      description: `${spec.name}: the us-east-1 replica of the origin-verify secret`,
    });
    this.logs = new kms.Key(this, 'Logs', {
      alias: `alias/${spec.name}/logs`,
      enableKeyRotation: true,
      description: `${spec.name}: CloudFront web ACL and access logs`,
    });
    this.logs.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    this.audit = new kms.Key(this, 'Audit', {
      alias: SecurityNames.keyAlias(spec, 'audit'),
      enableKeyRotation: true,
      description: `${spec.name}: the us-east-1 audit archive (CloudFront and edge web ACL logs)`,
    });
    // Logs of the edge only: the trail and the regional logs have their archives in the platform regions.
    this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: this.audit, replicationRegion: null });
  }
}
