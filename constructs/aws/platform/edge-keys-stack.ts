import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ResolvedSpec } from '../../../lib/spec';
import { AuditArchive } from '../audit/audit-archive';
import { KeyPurpose, SecurityNames } from '../common/security-names';
import { platformKeyPolicy, renderOnlyOwnPolicy } from '../keys/platform-keys';

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
    // The same key policies as PlatformKeys: administration for the account, use only through the purpose's services.
    const key = (keyId: string, purpose: KeyPurpose, description: string) => {
      const statements = platformKeyPolicy(this, spec, purpose);
      const k = new kms.Key(this, keyId, {
        alias: SecurityNames.keyAlias(spec, purpose), enableKeyRotation: true, description, policy: new iam.PolicyDocument({ statements }),
      });
      renderOnlyOwnPolicy(k, statements);
      return k;
    };
    this.secrets = key('Secrets', KeyPurpose.SECRETS, `${spec.name}: the us-east-1 replica of the origin-verify secret`);
    this.logs = key('Logs', KeyPurpose.LOGS, `${spec.name}: CloudFront web ACL and access logs`);
    this.audit = key('Audit', KeyPurpose.AUDIT, `${spec.name}: the us-east-1 audit archive (CloudFront and edge web ACL logs)`);
    // Logs of the edge only: the trail and the regional logs have their archives in the platform regions.
    this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: this.audit, replicationRegion: null });
  }
}
