import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { CdnFrontdoorEndpoint } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-endpoint';
import { CdnFrontdoorFirewallPolicy } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-firewall-policy';
import { CdnFrontdoorProfile } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-profile';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { NetworkDdosProtectionPlan } from '@cdktf/provider-azurerm/lib/network-ddos-protection-plan';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ResourceGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/resource-group-policy-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { Annotations, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzureAlerts } from './alerts';
import { AzureAudit } from './audit';
import { AzureAuthorizer } from './authorizer';
import { AzureBackendPackage, AzureFunctionBackends } from './backends';
import { acknowledgeTf, TerraformCompliance } from './compliance';
import { AzureEdge } from './edge';
import { AzureGateway } from './gateway';
import { AzureGovernance } from './governance';
import { AzureKeys, KeyVaultRole } from './keys';
import { AzureNetwork, AzureRegionResources } from './network';
import { PlatformValidationError } from '../../lib/errors';
import { PlatformSpec, ResolvedSpec, resolveSpec } from '../../lib/spec';
import { AWS_REGION_PATTERN } from '../../lib/spec/contracts/names';

export interface AzureSecureApiPlatformProps {
  /** The platform to build; validated and resolved with `resolveSpec`. */
  readonly spec: PlatformSpec;
  /** Publisher contact of API Management (notifications from the service). */
  readonly publisherEmail: string;
  /**
   * Publisher name of API Management.
   * @default - spec.name
   */
  readonly publisherName?: string;
  /**
   * Object ids (Entra ID) of the Managed HSM administrators; required when `spec.keys.hsmBacked` is true.
   * @default - none
   */
  readonly hsmAdminObjectIds?: string[];
  /**
   * Suffix that makes global names (Key Vault, storage, API Management, Front Door endpoint) unique.
   * @default - 6 characters derived from the construct path
   */
  readonly nameSuffix?: string;
  /**
   * Scale units of API Management per location (Premium).
   * @default 2 (one per availability zone pair, the minimum for zone redundancy)
   */
  readonly apimCapacity?: number;
  /**
   * Availability zones of API Management in every location.
   * @default ['1', '2']
   */
  readonly zones?: string[];
  /**
   * Enable Microsoft Defender for APIs on the subscription (a subscription-wide setting, billed per API call).
   * Set false only where another team owns Defender plans; the compliance report then shows the finding acknowledged.
   * @default true
   */
  readonly defenderForApis?: boolean;
  /**
   * Render a spec that has `identity.userPool` without it. The managed user pool is Cognito on AWS; Azure has no
   * counterpart the azurerm provider can create, so by default such a spec is refused (use Entra External ID and list
   * its issuer in `identity.issuers`). With true, only `identity.issuers` are trusted on Azure, tokens of the AWS
   * user pool are rejected with 401, and a warning says so at synth.
   * @default false
   */
  readonly ignoreUserPool?: boolean;
  /**
   * Lock the audit archive account's immutability policy. ARM creates account-level policies unlocked only: deploy a
   * new platform once with false, then apply again with the default to lock it (irreversible). See `AzureAudit`.
   * @default true
   */
  readonly lockAuditArchive?: boolean;
  /**
   * The Functions v4 packages (zips built ahead of synth) of the spec's Lambda-kind APIs, by `<name>-<version>`: each
   * runs as a Flex Consumption app in every region, behind an API Management backend entity. Required for every API
   * whose backend kind is `lambda`.
   * @default - none (a spec with a Lambda-kind API is refused, naming this prop)
   */
  readonly backendPackages?: Readonly<Record<string, AzureBackendPackage>>;
  /**
   * Cedar policies (text) the authorizer function evaluates after the route scopes, as on AWS.
   * @default - none
   */
  readonly policies?: string;
  /**
   * Run the Terraform compliance pass on the enclosing stack (fails the synth on unacknowledged findings).
   * @default true
   */
  readonly enforceCompliance?: boolean;
}

/**
 * The Azure rendering of a PlatformSpec (CDKTF + provider-azurerm), composed of one construct per concern:
 * `AzureNetwork` (DDoS plan, VNets, NSGs), `AzureAudit` (Log Analytics, immutable archive, diagnostic settings),
 * `AzureKeys` (Key Vault Premium or Managed HSM, RBAC role assignments), `AzureGateway` (API Management Premium in
 * every region, VNet External, reachable only through Front Door; APIs and policies from the spec), `AzureEdge`
 * (Front Door Premium + WAF policy) and `AzureGovernance` (Azure Policy initiatives, Defender for APIs).
 * Place it in a TerraformStack that has an AzurermProvider.
 */
export class AzureSecureApiPlatform extends Construct {
  public readonly resolved: ResolvedSpec;
  public readonly resourceGroup: ResourceGroup;
  public readonly network: AzureNetwork;
  public readonly audit: AzureAudit;
  public readonly keys: AzureKeys;
  public readonly gateway: AzureGateway;
  public readonly edge: AzureEdge;
  public readonly governance: AzureGovernance;
  /** The authorizer function (every region) and its Cosmos DB for Table store. */
  public readonly authorizer: AzureAuthorizer;
  /** The Functions backends of the Lambda-kind APIs. */
  public readonly backends: AzureFunctionBackends;
  /** Azure Monitor alerts: the AWS security alarms' signals, over the workspace. */
  public readonly alerts: AzureAlerts;
  /** Application Insights (workspace-based) of the function apps. */
  public readonly insights: ApplicationInsights;
  public readonly ddosPlan: NetworkDdosProtectionPlan;
  public readonly regions: Readonly<Record<string, AzureRegionResources>>;
  public readonly frontDoor: CdnFrontdoorProfile;
  public readonly endpoint: CdnFrontdoorEndpoint;
  public readonly wafPolicy: CdnFrontdoorFirewallPolicy;
  public readonly apim: ApiManagement;
  public readonly apis: Readonly<Record<string, ApiManagementApi>>;
  public readonly keyVault: KeyVault;
  public readonly dataKey: KeyVaultKey;
  public readonly managedHsm?: KeyVaultManagedHardwareSecurityModule;
  public readonly workspace: LogAnalyticsWorkspace;
  public readonly auditAccount: StorageAccount;
  public readonly auditContainer: StorageContainer;
  public readonly auditImmutability: StorageContainerImmutabilityPolicy;
  public readonly policyAssignments: ResourceGroupPolicyAssignment[];
  public readonly compliance?: TerraformCompliance;

  constructor(scope: Construct, id: string, props: AzureSecureApiPlatformProps) {
    super(scope, id);
    const spec = resolveSpec(props.spec);
    this.resolved = spec;
    this.validate(props, spec);
    const nameSuffix = props.nameSuffix ?? this.node.addr.slice(0, 6);
    const zones = props.zones ?? ['1', '2'];

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', { name: `${spec.name}-rg`, location: spec.primaryRegion });
    const base = { spec, resourceGroup: this.resourceGroup };
    this.governance = new AzureGovernance(this, 'Governance', { ...base, defenderForApis: props.defenderForApis });
    this.network = new AzureNetwork(this, 'Network', { ...base, nameSuffix, zones });
    this.keys = new AzureKeys(this, 'Keys', { ...base, network: this.network, nameSuffix, hsmAdminObjectIds: props.hsmAdminObjectIds });
    this.audit = new AzureAudit(this, 'Audit', { ...base, network: this.network, keys: this.keys, nameSuffix, lockArchiveAccountPolicy: props.lockAuditArchive });
    this.gateway = new AzureGateway(this, 'Gateway', {
      ...base,
      network: this.network,
      nameSuffix,
      zones,
      publisherEmail: props.publisherEmail,
      publisherName: props.publisherName,
      capacity: props.apimCapacity,
    });
    this.edge = new AzureEdge(this, 'Edge', { ...base, origins: this.gateway.origins, nameSuffix });
    // Function telemetry (decision lines, backend logs) in the platform workspace; Entra ID ingestion only.
    this.insights = new ApplicationInsights(this, 'Insights', {
      name: `${spec.name}-insights`,
      location: spec.primaryRegion,
      resourceGroupName: this.resourceGroup.name,
      applicationType: 'Node.JS',
      workspaceId: this.audit.workspace.id,
      localAuthenticationDisabled: true,
      internetIngestionEnabled: true,
      internetQueryEnabled: false,
    });
    const functionBase = {
      ...base, network: this.network, keys: this.keys, audit: this.audit, apim: this.gateway.apim, insights: this.insights, nameSuffix,
    };
    this.authorizer = new AzureAuthorizer(this, 'Authorizer', { ...functionBase, policies: props.policies });
    this.backends = new AzureFunctionBackends(this, 'Backends', { ...functionBase, packages: props.backendPackages ?? {} });
    this.alerts = new AzureAlerts(this, 'Alerts', { ...base, workspace: this.audit.workspace });
    this.apis = this.gateway.addApis(this.edge.frontDoor.resourceGuid, { authorizers: this.authorizer.endpoints, backends: this.backends.backends });

    // API Management reads named values and certificates from the vault with its managed identity (RBAC, vault scope).
    this.keys.grant('ApimSecrets', this.gateway.apim.identity.principalId, KeyVaultRole.SECRETS_USER, 'API Management: named values and certificates');

    // Every log source goes to Log Analytics and to the immutable archive.
    this.audit.addDiagnosticSetting('FrontDoor', this.edge.frontDoor.id);
    this.audit.addDiagnosticSetting('Apim', this.gateway.apim.id);
    this.audit.addDiagnosticSetting('KeyVault', this.keys.keyVault.id);
    if (this.keys.managedHsm) this.audit.addDiagnosticSetting('ManagedHsm', this.keys.managedHsm.id);

    this.ddosPlan = this.network.ddosPlan;
    this.regions = this.network.regions;
    this.frontDoor = this.edge.frontDoor;
    this.endpoint = this.edge.endpoint;
    this.wafPolicy = this.edge.wafPolicy;
    this.apim = this.gateway.apim;
    this.keyVault = this.keys.keyVault;
    this.dataKey = this.keys.dataKey;
    this.managedHsm = this.keys.managedHsm;
    this.workspace = this.audit.workspace;
    this.auditAccount = this.audit.archiveAccount;
    this.auditContainer = this.audit.archiveContainer;
    this.auditImmutability = this.audit.archiveImmutability;
    this.policyAssignments = this.governance.policyAssignments;

    if (!(props.defenderForApis ?? true)) {
      acknowledgeTf(this.apim, 'SecureApiAz-DefenderForApis', 'Defender for APIs turned off with the defenderForApis prop: the subscription plan is owned and enabled outside this stack');
    }
    if (spec.userPool && props.ignoreUserPool === true) {
      Annotations.of(this).addWarning('identity.userPool is not rendered on Azure (ignoreUserPool: true): only identity.issuers are trusted; tokens of the AWS user pool get 401');
    }
    if (props.enforceCompliance ?? true) {
      this.compliance = TerraformCompliance.enforce(TerraformStack.of(this), {
        profiles: spec.profiles,
        minLogRetentionDays: spec.minimums.logRetentionDays,
        minAuditRetentionDays: spec.audit.demo ? 1 : spec.minimums.auditRetentionYears * 365,
      });
    }
  }

  private validate(props: AzureSecureApiPlatformProps, spec: ResolvedSpec): void {
    if (spec.regions.some((r) => AWS_REGION_PATTERN.test(r))) {
      throw new PlatformValidationError(`spec.regions must be Azure region names (received: ${JSON.stringify(spec.regions)}); use e.g. "westeurope" and "northeurope", as exampleSpec('azure') does`, this);
    }
    if (spec.issuers.length === 0) {
      throw new PlatformValidationError('spec.identity.issuers must list at least one OIDC issuer on Azure (received: none); the managed user pool is Cognito on AWS only: add Entra ID (or Entra External ID for customers) or another OIDC issuer', this);
    }
    if (spec.userPool && props.ignoreUserPool !== true) {
      throw new PlatformValidationError(
        'spec.identity.userPool cannot be rendered on Azure (received: a user pool); it is Amazon Cognito on AWS, and the azurerm provider cannot create its counterpart. '
        + 'Create the customer tenant and user flows in Microsoft Entra External ID and list its issuer (https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0) in identity.issuers, '
        + 'or set ignoreUserPool: true to trust identity.issuers only on Azure',
        this,
      );
    }
    if (props.nameSuffix !== undefined && !/^[a-z0-9]{1,8}$/.test(props.nameSuffix)) {
      throw new PlatformValidationError(`nameSuffix must be 1-8 lowercase letters or digits (received: ${JSON.stringify(props.nameSuffix)}); it goes into storage account names`, this);
    }
  }
}
