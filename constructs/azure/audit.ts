import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { Construct } from 'constructs';
import { acknowledgeTf } from './compliance';
import { AzureKeys } from './keys';
import { AzureNetwork, PRIVATE_DNS_ZONES } from './network';
import { ResolvedSpec } from '../../lib/spec';

/**
 * The platform's storage account settings: StorageV2, TLS 1.2 minimum, HTTPS only, no public blobs, infrastructure
 * (double) encryption, Entra ID only (no shared keys), no cross-tenant replication.
 */
export const SECURE_STORAGE = {
  accountKind: 'StorageV2',
  minTlsVersion: 'TLS1_2',
  httpsTrafficOnlyEnabled: true,
  allowNestedItemsToBePublic: false,
  infrastructureEncryptionEnabled: true,
  sharedAccessKeyEnabled: false,
  defaultToOauthAuthentication: true,
  crossTenantReplicationEnabled: false,
} as const;

/** Categories of the subscription Activity Log (all of them): exported to the archive by `AzureAudit`. */
export const ACTIVITY_LOG_CATEGORIES = ['Administrative', 'Security', 'ServiceHealth', 'Alert', 'Recommendation', 'Policy', 'Autoscale', 'ResourceHealth'] as const;

export interface AzureAuditProps {
  /**
   * The resolved platform spec: name, primary region, `audit.retentionDays` (the archive's immutability period),
   * `audit.demo`, and the log retention of the profiles.
   */
  readonly spec: ResolvedSpec;
  /** Resource group holding the workspace and the archive. */
  readonly resourceGroup: ResourceGroup;
  /** The network: the archive's blob private endpoint goes into the primary region's private-endpoint subnet. */
  readonly network: AzureNetwork;
  /** Suffix that makes the archive's storage account name globally unique (lowercase letters and digits). */
  readonly nameSuffix: string;
  /**
   * The platform's keys: the archive account is encrypted with the data key (customer-managed key) through the keys'
   * encryption identity.
   */
  readonly keys: AzureKeys;
  /**
   * Log Analytics retention in days (30 to 730).
   * @default - the larger of spec.audit.logRetentionDays and the profiles' minimum, capped at 730
   */
  readonly logRetentionDays?: number;
  /**
   * Lock the archive account's account-level immutability policy (irreversible: the period can then only grow).
   * ARM creates account-level policies in the Unlocked state only, so a NEW archive is deployed once with false
   * (its blobs are already WORM for the period; only the policy itself can still be shortened) and locked by the
   * next apply with the default. While false, the finding is acknowledged in the report with that reason.
   * @default true
   */
  readonly lockArchiveAccountPolicy?: boolean;
}

/**
 * The audit trail: a Log Analytics workspace (local auth off, retention per profile), the subscription's Activity
 * Log exported to both, and an immutable archive — a GZRS StorageV2 account encrypted with the data key
 * (customer-managed), with no public network access (a blob private endpoint in the primary VNet instead), no
 * shared keys, infrastructure encryption, versioning, and a locked account-level immutability policy, so the
 * `insights-logs-*` containers Azure Monitor creates are WORM too; plus the `audit` container with its own locked
 * time-based policy. `addDiagnosticSetting` sends a resource's logs to both destinations.
 * In demo mode (spec.audit.demo) the policies are unlocked for one day, and acknowledged as such in the report.
 */
export class AzureAudit extends Construct {
  public readonly workspace: LogAnalyticsWorkspace;
  /** The immutable archive's storage account. */
  public readonly archiveAccount: StorageAccount;
  public readonly archiveContainer: StorageContainer;
  public readonly archiveImmutability: StorageContainerImmutabilityPolicy;
  /** Private endpoint (blob) of the archive in the primary region. */
  public readonly archiveEndpoint: PrivateEndpoint;
  /** The subscription's Activity Log (control plane: who changed what) to the workspace and the archive. */
  public readonly activityLog: MonitorDiagnosticSetting;
  /** Diagnostic settings created by `addDiagnosticSetting`, by id. */
  public readonly diagnosticSettings: Record<string, MonitorDiagnosticSetting> = {};
  private readonly spec: ResolvedSpec;

  constructor(scope: Construct, id: string, props: AzureAuditProps) {
    super(scope, id);
    const { spec, resourceGroup, network } = props;
    this.spec = spec;
    const n = spec.name;
    const primary = spec.primaryRegion;
    const rgName = resourceGroup.name;
    const demo = spec.audit.demo;
    // retentionDays is never below the profiles' minimum (validateSpec); 1 day in demo mode.
    const retentionDays = spec.audit.retentionDays;
    const lockAccount = props.lockArchiveAccountPolicy ?? true;

    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: `${n}-logs`,
      location: primary,
      resourceGroupName: rgName,
      sku: 'PerGB2018',
      retentionInDays: props.logRetentionDays ?? Math.min(730, Math.max(spec.audit.logRetentionDays, spec.minimums.logRetentionDays)),
      localAuthenticationEnabled: false,
    });

    this.archiveAccount = new StorageAccount(this, 'AuditAccount', {
      name: `${n.replace(/-/g, '')}audit${props.nameSuffix}`.slice(0, 24),
      location: primary,
      resourceGroupName: rgName,
      accountTier: 'Standard',
      accountReplicationType: 'GZRS',
      ...SECURE_STORAGE,
      publicNetworkAccessEnabled: false,
      blobProperties: { versioningEnabled: true, deleteRetentionPolicy: { days: 365 }, containerDeleteRetentionPolicy: { days: 365 } },
      // Azure Monitor writes diagnostic logs as a trusted service; every other caller comes through the private endpoint.
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
      // Account-level WORM: covers the insights-logs-* containers that diagnostic settings create (append writes allowed).
      immutabilityPolicy: { state: demo || !lockAccount ? 'Unlocked' : 'Locked', periodSinceCreationInDays: retentionDays, allowProtectedAppendWrites: true },
      // Encrypted with the platform's data key (customer-managed), through the identity that may only wrap and unwrap.
      identity: { type: 'UserAssigned', identityIds: [props.keys.encryptionIdentity.id] },
      customerManagedKey: { keyVaultKeyId: props.keys.dataKey.versionlessId, userAssignedIdentityId: props.keys.encryptionIdentity.id },
      dependsOn: [props.keys.encryptionGrant],
    });
    this.archiveContainer = new StorageContainer(this, 'AuditContainer', { name: 'audit', storageAccountId: this.archiveAccount.id, containerAccessType: 'private' });
    this.archiveImmutability = new StorageContainerImmutabilityPolicy(this, 'AuditImmutability', {
      storageContainerResourceManagerId: this.archiveContainer.id,
      immutabilityPeriodInDays: retentionDays,
      locked: !demo,
      protectedAppendWritesAllEnabled: true,
    });
    if (demo) {
      const reason = 'Demo mode (spec.audit.demo): one-day unlocked retention so the example can be torn down; never used for production audit data';
      acknowledgeTf(this.archiveContainer, 'SecureApiAz-AuditImmutability', reason);
      acknowledgeTf(this.archiveAccount, 'SecureApiAz-AuditImmutability', reason);
    } else if (!lockAccount) {
      acknowledgeTf(this.archiveAccount, 'SecureApiAz-AuditImmutability', 'First deployment of the archive (lockArchiveAccountPolicy: false): ARM creates account-level immutability policies unlocked only; blobs are WORM for the full period and the next apply locks the policy');
    }
    this.archiveEndpoint = new PrivateEndpoint(this, 'AuditEndpoint', {
      name: `${n}-audit-blob-pe`,
      location: primary,
      resourceGroupName: rgName,
      subnetId: network.primary.endpointSubnet.id,
      privateServiceConnection: { name: `${n}-audit-blob`, isManualConnection: false, privateConnectionResourceId: this.archiveAccount.id, subresourceNames: ['blob'] },
      privateDnsZoneGroup: { name: 'blob', privateDnsZoneIds: [network.privateDnsZone(PRIVATE_DNS_ZONES.blob).id] },
    });

    // The control plane: the subscription's Activity Log, every category, to the workspace (alerts) and the archive.
    const subscription = new DataAzurermSubscription(this, 'Subscription');
    this.activityLog = new MonitorDiagnosticSetting(this, 'DiagActivityLog', {
      name: `${n}-activity-log`,
      targetResourceId: subscription.id,
      logAnalyticsWorkspaceId: this.workspace.id,
      storageAccountId: this.archiveAccount.id,
      enabledLog: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category })),
    });

    // The workspace's own audit log (queries, access) goes to the archive.
    new MonitorDiagnosticSetting(this, 'DiagWorkspaceArchive', {
      name: `${n}-archive`, targetResourceId: this.workspace.id, storageAccountId: this.archiveAccount.id, enabledLog: [{ categoryGroup: 'audit' }],
    });
  }

  /**
   * A diagnostic setting on `targetResourceId` sending all logs, the audit category group and all metrics to the
   * workspace (for queries and alerts) and to the immutable archive (for the retention period).
   */
  public addDiagnosticSetting(id: string, targetResourceId: string): MonitorDiagnosticSetting {
    const setting = new MonitorDiagnosticSetting(this, `Diag${id}`, {
      name: `${this.spec.name}-diag`,
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      storageAccountId: this.archiveAccount.id,
      enabledLog: [{ categoryGroup: 'allLogs' }, { categoryGroup: 'audit' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
    this.diagnosticSettings[id] = setting;
    return setting;
  }
}
