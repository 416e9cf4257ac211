import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ResolvedSpec } from '../../../lib/spec';
import { AuditArchive } from '../audit/audit-archive';
import { CloudHsmInitialization, CloudHsmKeyStore } from '../keys/cloudhsm-key-store';
import { PlatformKeys } from '../keys/platform-keys';

/** Props of `RegionalKeysStack`. */
export interface RegionalKeysStackProps extends StackProps {
  /** The resolved platform spec. */
  readonly spec: ResolvedSpec;
  /**
   * CloudHSM initialization for `spec.keys.hsmBacked` (primary region only).
   * @default - cluster only: the key store waits for the manual steps documented on `CloudHsmKeyStore`
   */
  readonly hsmInitialization?: CloudHsmInitialization;
}

/** The keys (and, in secondary regions, the archive that receives the primary's replica) of one region. */
export class RegionalKeysStack extends Stack {
  public readonly keys: PlatformKeys;
  /** The archive of a secondary region (the primary's archive is in the global stack). */
  public readonly archive?: AuditArchive;
  public readonly hsm?: CloudHsmKeyStore;

  constructor(scope: Construct, id: string, props: RegionalKeysStackProps) {
    super(scope, id, props);
    const spec = props.spec;
    this.keys = new PlatformKeys(this, 'Keys', { spec });
    if (this.region !== spec.primaryRegion) {
      // The replication destination of the primary archive; replicating back would make each bucket wait for the other.
      this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: this.keys.audit, replicationRegion: null });
    } else if (spec.hsmBacked) {
      this.hsm = new CloudHsmKeyStore(this, 'Hsm', { spec, logKey: this.keys.logs, initialization: props.hsmInitialization });
    }
  }
}
