import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiOperation } from '@cdktf/provider-azurerm/lib/api-management-api-operation';
import { ApiManagementApiOperationPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-operation-policy';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { ApiManagementApiSchema } from '@cdktf/provider-azurerm/lib/api-management-api-schema';
import { CdnFrontdoorCustomDomain } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-custom-domain';
import { CdnFrontdoorEndpoint } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-endpoint';
import { CdnFrontdoorFirewallPolicy, CdnFrontdoorFirewallPolicyCustomRule } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-firewall-policy';
import { CdnFrontdoorOrigin } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin';
import { CdnFrontdoorOriginGroup } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin-group';
import { CdnFrontdoorProfile } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-profile';
import { CdnFrontdoorRoute } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-route';
import { CdnFrontdoorSecurityPolicy } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-security-policy';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { NetworkDdosProtectionPlan } from '@cdktf/provider-azurerm/lib/network-ddos-protection-plan';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ResourceGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/resource-group-policy-assignment';
import { SecurityCenterSubscriptionPricing } from '@cdktf/provider-azurerm/lib/security-center-subscription-pricing';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Fn, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { acknowledgeTf, TerraformCompliance } from './compliance';
import { apiPolicy, operationPolicy } from './policies';
import { POLICY_INITIATIVES } from '../../lib/compliance/terraform/rules/policy-initiatives';
import { PlatformValidationError } from '../../lib/errors';
import { PlatformSpec, ResolvedSpec, resolveSpec } from '../../lib/spec';

/** Address spaces of the per-region virtual networks (one /16 per region, in spec order). */
const VNET_CIDR = (i: number): string => `10.${20 + i}.0.0/16`;

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
   * Run the Terraform compliance pass on the enclosing stack (fails the synth on unacknowledged findings).
   * @default true
   */
  readonly enforceCompliance?: boolean;
}

/** One region of the platform. */
export interface AzureRegionResources {
  readonly vnet: VirtualNetwork;
  readonly apimSubnet: Subnet;
  /** Subnet of the private endpoints (Key Vault). */
  readonly endpointSubnet: Subnet;
  readonly nsg: NetworkSecurityGroup;
  readonly publicIp: PublicIp;
}

/**
 * The Azure rendering of a PlatformSpec (CDKTF + provider-azurerm): Front Door Premium with a WAF policy, a DDoS
 * protection plan, API Management Premium in every region (VNet External mode, reachable only through Front Door),
 * policies generated from the spec, Key Vault Premium (or Managed HSM), Log Analytics diagnostics, an immutable audit
 * archive, Azure Policy initiatives and Defender for APIs. Place it in a TerraformStack that has an AzurermProvider.
 */
export class AzureSecureApiPlatform extends Construct {
  public readonly resolved: ResolvedSpec;
  public readonly resourceGroup: ResourceGroup;
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
    const suffix = props.nameSuffix ?? this.node.addr.slice(0, 6);
    const n = spec.name;
    const primary = spec.primaryRegion;
    const zones = props.zones ?? ['1', '2'];
    const capacity = props.apimCapacity ?? 2;
    const client = new DataAzurermClientConfig(this, 'Client');

    // Resource group and governance.
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', { name: `${n}-rg`, location: primary });
    const rgName = this.resourceGroup.name;
    this.policyAssignments = spec.profiles
      .filter((p) => POLICY_INITIATIVES[p] !== undefined)
      .map((p) => new ResourceGroupPolicyAssignment(this, `Policy${p}`, {
        name: `${n}-${p.toLowerCase().replace(/_/g, '-')}`,
        displayName: `${POLICY_INITIATIVES[p].name} (${n})`,
        resourceGroupId: this.resourceGroup.id,
        policyDefinitionId: POLICY_INITIATIVES[p].id,
        location: primary,
        identity: { type: 'SystemAssigned' },
      }));
    if (props.defenderForApis ?? true) {
      new SecurityCenterSubscriptionPricing(this, 'DefenderForApis', { resourceType: 'Api', tier: 'Standard', subplan: 'P1' });
    }

    // Observability: Log Analytics with the profiles' retention.
    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: `${n}-logs`,
      location: primary,
      resourceGroupName: rgName,
      sku: 'PerGB2018',
      retentionInDays: Math.min(730, Math.max(spec.audit.logRetentionDays, spec.minimums.logRetentionDays)),
      localAuthenticationEnabled: false,
    });
    const diagnostics = (cid: string, targetResourceId: string): MonitorDiagnosticSetting => new MonitorDiagnosticSetting(this, `Diag${cid}`, {
      name: `${n}-diag`,
      targetResourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      enabledLog: [{ categoryGroup: 'allLogs' }, { categoryGroup: 'audit' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });

    // Network: DDoS plan, one VNet per region with the API Management subnet and its NSG.
    this.ddosPlan = new NetworkDdosProtectionPlan(this, 'DdosPlan', { name: `${n}-ddos`, location: primary, resourceGroupName: rgName });
    const regions: Record<string, AzureRegionResources> = {};
    spec.regions.forEach((region, i) => {
      const vnet = new VirtualNetwork(this, `Vnet-${region}`, {
        name: `${n}-${region}-vnet`,
        location: region,
        resourceGroupName: rgName,
        addressSpace: [VNET_CIDR(i)],
        ddosProtectionPlan: { id: this.ddosPlan.id, enable: true },
      });
      const apimSubnet = new Subnet(this, `ApimSubnet-${region}`, {
        name: 'apim', resourceGroupName: rgName, virtualNetworkName: vnet.name, addressPrefixes: [`10.${20 + i}.1.0/24`],
      });
      const endpointSubnet = new Subnet(this, `EndpointSubnet-${region}`, {
        name: 'private-endpoints',
        resourceGroupName: rgName,
        virtualNetworkName: vnet.name,
        addressPrefixes: [`10.${20 + i}.2.0/24`],
        privateEndpointNetworkPolicies: 'Enabled',
      });
      const nsg = new NetworkSecurityGroup(this, `ApimNsg-${region}`, {
        name: `${n}-${region}-apim-nsg`,
        location: region,
        resourceGroupName: rgName,
        securityRule: [
          nsgRule('AllowFrontDoorHttps', 100, 'AzureFrontDoor.Backend', '443', 'VirtualNetwork'),
          nsgRule('AllowApimManagement', 110, 'ApiManagement', '3443', 'VirtualNetwork'),
          nsgRule('AllowLoadBalancer', 120, 'AzureLoadBalancer', '6390', 'VirtualNetwork'),
          { name: 'DenyAllInbound', priority: 4096, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
        ],
      });
      new SubnetNetworkSecurityGroupAssociation(this, `ApimNsgAssoc-${region}`, { subnetId: apimSubnet.id, networkSecurityGroupId: nsg.id });
      const publicIp = new PublicIp(this, `ApimIp-${region}`, {
        name: `${n}-${region}-apim-ip`,
        location: region,
        resourceGroupName: rgName,
        allocationMethod: 'Static',
        sku: 'Standard',
        domainNameLabel: `${n}-${region}-${suffix}`,
        zones,
      });
      regions[region] = { vnet, apimSubnet, endpointSubnet, nsg, publicIp };
    });
    this.regions = regions;

    // Keys: Key Vault Premium (HSM-backed keys), private, RBAC; Managed HSM for the HSM profile.
    this.keyVault = new KeyVault(this, 'KeyVault', {
      name: `${n}-kv-${suffix}`.slice(0, 24),
      location: primary,
      resourceGroupName: rgName,
      tenantId: client.tenantId,
      skuName: 'premium',
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      rbacAuthorizationEnabled: true,
      publicNetworkAccessEnabled: false,
      networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny' },
    });
    new PrivateEndpoint(this, 'KeyVaultEndpoint', {
      name: `${n}-kv-pe`,
      location: primary,
      resourceGroupName: rgName,
      subnetId: regions[primary].endpointSubnet.id,
      privateServiceConnection: { name: `${n}-kv`, isManualConnection: false, privateConnectionResourceId: this.keyVault.id, subresourceNames: ['vault'] },
    });
    this.dataKey = new KeyVaultKey(this, 'DataKey', {
      name: `${n}-data`,
      keyVaultId: this.keyVault.id,
      keyType: 'RSA-HSM',
      keySize: 3072,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: { expireAfter: 'P2Y', notifyBeforeExpiry: 'P30D', automatic: { timeBeforeExpiry: 'P60D' } },
    });
    if (spec.hsmBacked) {
      this.managedHsm = new KeyVaultManagedHardwareSecurityModule(this, 'ManagedHsm', {
        name: `${n}-hsm-${suffix}`,
        location: primary,
        resourceGroupName: rgName,
        tenantId: client.tenantId,
        skuName: 'Standard_B1',
        adminObjectIds: props.hsmAdminObjectIds ?? [],
        purgeProtectionEnabled: true,
        softDeleteRetentionDays: 90,
        publicNetworkAccessEnabled: false,
        networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny' },
      });
      diagnostics('ManagedHsm', this.managedHsm.id);
    }
    diagnostics('KeyVault', this.keyVault.id);

    // Audit archive: immutable (WORM) blob container.
    this.auditAccount = new StorageAccount(this, 'AuditAccount', {
      name: `${n.replace(/-/g, '')}audit${suffix}`.slice(0, 24),
      location: primary,
      resourceGroupName: rgName,
      accountTier: 'Standard',
      accountReplicationType: 'GZRS',
      accountKind: 'StorageV2',
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      infrastructureEncryptionEnabled: true,
      sharedAccessKeyEnabled: false,
      publicNetworkAccessEnabled: false,
      defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false,
      blobProperties: { versioningEnabled: true, deleteRetentionPolicy: { days: 365 }, containerDeleteRetentionPolicy: { days: 365 } },
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
    });
    this.auditContainer = new StorageContainer(this, 'AuditContainer', { name: 'audit', storageAccountId: this.auditAccount.id, containerAccessType: 'private' });
    // retentionYears is never below the profiles' minimum (validateSpec); 1 day in demo mode.
    const retentionDays = spec.audit.retentionDays;
    this.auditImmutability = new StorageContainerImmutabilityPolicy(this, 'AuditImmutability', {
      storageContainerResourceManagerId: this.auditContainer.id,
      immutabilityPeriodInDays: retentionDays,
      locked: !spec.audit.demo,
      protectedAppendWritesAllEnabled: true,
    });
    if (spec.audit.demo) {
      acknowledgeTf(this.auditContainer, 'SecureApiAz-AuditImmutability', 'Demo mode (spec.audit.demo): one-day unlocked retention so the example can be torn down; never used for production audit data');
    }
    new MonitorDiagnosticSetting(this, 'DiagWorkspaceArchive', {
      name: `${n}-archive`, targetResourceId: this.workspace.id, storageAccountId: this.auditAccount.id, enabledLog: [{ categoryGroup: 'audit' }],
    });

    // API Management Premium: primary + additional locations, VNet External, TLS 1.2+ only.
    const [, ...secondaries] = spec.regions;
    this.apim = new ApiManagement(this, 'Apim', {
      name: `${n}-apim-${suffix}`,
      location: primary,
      resourceGroupName: rgName,
      publisherEmail: props.publisherEmail,
      publisherName: props.publisherName ?? n,
      skuName: `Premium_${capacity}`,
      zones,
      virtualNetworkType: 'External',
      virtualNetworkConfiguration: { subnetId: regions[primary].apimSubnet.id },
      publicIpAddressId: regions[primary].publicIp.id,
      additionalLocation: secondaries.map((region) => ({
        location: region,
        capacity,
        zones,
        publicIpAddressId: regions[region].publicIp.id,
        virtualNetworkConfiguration: { subnetId: regions[region].apimSubnet.id },
      })),
      identity: { type: 'SystemAssigned' },
      minApiVersion: '2021-08-01',
      security: {
        frontendSsl30Enabled: false,
        frontendTls10Enabled: false,
        frontendTls11Enabled: false,
        backendSsl30Enabled: false,
        backendTls10Enabled: false,
        backendTls11Enabled: false,
        tripleDesCiphersEnabled: false,
        tlsEcdheEcdsaWithAes128CbcShaCiphersEnabled: false,
        tlsEcdheEcdsaWithAes256CbcShaCiphersEnabled: false,
        tlsEcdheRsaWithAes128CbcShaCiphersEnabled: false,
        tlsEcdheRsaWithAes256CbcShaCiphersEnabled: false,
        tlsRsaWithAes128CbcSha256CiphersEnabled: false,
        tlsRsaWithAes128CbcShaCiphersEnabled: false,
        tlsRsaWithAes128GcmSha256CiphersEnabled: false,
        tlsRsaWithAes256CbcSha256CiphersEnabled: false,
        tlsRsaWithAes256CbcShaCiphersEnabled: false,
        tlsRsaWithAes256GcmSha384CiphersEnabled: false,
      },
      clientCertificateEnabled: spec.apis.some((a) => a.mtls === true),
      signUp: { enabled: false, termsOfService: { consentRequired: false, enabled: false } },
    });
    diagnostics('Apim', this.apim.id);

    // Front Door Premium + WAF.
    this.frontDoor = new CdnFrontdoorProfile(this, 'FrontDoor', { name: `${n}-fd`, resourceGroupName: rgName, skuName: 'Premium_AzureFrontDoor', responseTimeoutSeconds: 60 });
    this.endpoint = new CdnFrontdoorEndpoint(this, 'Endpoint', { name: `${n}-${suffix}`, cdnFrontdoorProfileId: this.frontDoor.id });
    this.wafPolicy = new CdnFrontdoorFirewallPolicy(this, 'Waf', {
      name: `${n.replace(/-/g, '')}waf`,
      resourceGroupName: rgName,
      skuName: 'Premium_AzureFrontDoor',
      mode: 'Prevention',
      enabled: true,
      requestBodyCheckEnabled: true,
      customBlockResponseStatusCode: 403,
      managedRule: [
        { type: 'Microsoft_DefaultRuleSet', version: '2.1', action: 'Block' },
        { type: 'Microsoft_BotManagerRuleSet', version: '1.1', action: 'Block' },
      ],
      customRule: this.customRules(spec),
    });
    diagnostics('FrontDoor', this.frontDoor.id);
    const healthRoute = spec.routes.find((r) => r.public && r.method === 'GET' && /health/.test(r.path));
    const originGroup = new CdnFrontdoorOriginGroup(this, 'OriginGroup', {
      name: 'apim',
      cdnFrontdoorProfileId: this.frontDoor.id,
      sessionAffinityEnabled: false,
      restoreTrafficTimeToHealedOrNewEndpointInMinutes: 5,
      loadBalancing: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
      healthProbe: {
        protocol: 'Https',
        intervalInSeconds: 30,
        requestType: 'GET',
        path: healthRoute ? `/${healthRoute.api}/${healthRoute.version}${healthRoute.path}` : '/status-0123456789abcdef',
      },
    });
    const regionalHosts = [
      Fn.replace(this.apim.gatewayRegionalUrl, 'https://', ''),
      ...secondaries.map((_r, i) => Fn.replace(this.apim.additionalLocation.get(i).gatewayRegionalUrl, 'https://', '')),
    ];
    const origins = spec.regions.map((region, i) => new CdnFrontdoorOrigin(this, `Origin-${region}`, {
      name: `apim-${region}`,
      cdnFrontdoorOriginGroupId: originGroup.id,
      hostName: regionalHosts[i],
      originHostHeader: regionalHosts[i],
      httpsPort: 443,
      certificateNameCheckEnabled: true,
      enabled: true,
      priority: 1,
      weight: 1000,
    }));
    const domains: CdnFrontdoorCustomDomain[] = [];
    if (spec.spec.domain) {
      domains.push(new CdnFrontdoorCustomDomain(this, 'Domain', {
        name: spec.spec.domain.domainName.replace(/\./g, '-'),
        cdnFrontdoorProfileId: this.frontDoor.id,
        hostName: spec.spec.domain.domainName,
        tls: { certificateType: 'ManagedCertificate', minimumTlsVersion: 'TLS12' },
      }));
    }
    new CdnFrontdoorRoute(this, 'Route', {
      name: 'apis',
      cdnFrontdoorEndpointId: this.endpoint.id,
      cdnFrontdoorOriginGroupId: originGroup.id,
      cdnFrontdoorOriginIds: origins.map((o) => o.id),
      cdnFrontdoorCustomDomainIds: domains.map((d) => d.id),
      patternsToMatch: ['/*'],
      supportedProtocols: ['Https'],
      forwardingProtocol: 'HttpsOnly',
      httpsRedirectEnabled: false,
      linkToDefaultDomain: true,
    });
    new CdnFrontdoorSecurityPolicy(this, 'WafAttachment', {
      name: `${n}-waf`,
      cdnFrontdoorProfileId: this.frontDoor.id,
      securityPolicies: {
        firewall: {
          cdnFrontdoorFirewallPolicyId: this.wafPolicy.id,
          association: { patternsToMatch: ['/*'], domain: [this.endpoint, ...domains].map((d) => ({ cdnFrontdoorDomainId: d.id })) },
        },
      },
    });

    // APIs and their policies.
    const apis: Record<string, ApiManagementApi> = {};
    const fdid = this.frontDoor.resourceGuid;
    for (const api of spec.apis) {
      const key = `${api.name}-${api.version}`;
      const apiPlan = api.plan ?? Object.keys(spec.plans)[0];
      const a = new ApiManagementApi(this, `Api-${key}`, {
        name: key,
        resourceGroupName: rgName,
        apiManagementName: this.apim.name,
        revision: '1',
        displayName: `${api.name} ${api.version}`,
        path: `${api.name}/${api.version}`,
        protocols: ['https'],
        subscriptionRequired: false,
        serviceUrl: api.backend?.url,
      });
      apis[key] = a;
      new ApiManagementApiPolicy(this, `ApiPolicy-${key}`, {
        apiName: a.name,
        apiManagementName: this.apim.name,
        resourceGroupName: rgName,
        xmlContent: apiPolicy(spec, { frontDoorId: fdid, plan: apiPlan, mtls: api.mtls === true }),
      });
      spec.routes.filter((r) => r.api === api.name && r.version === api.version).forEach((route, i) => {
        const opId = `${route.method.toLowerCase()}-${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
        const op = new ApiManagementApiOperation(this, `Op-${key}-${opId}`, {
          operationId: opId,
          apiName: a.name,
          apiManagementName: this.apim.name,
          resourceGroupName: rgName,
          displayName: route.key,
          method: route.method,
          urlTemplate: route.path,
          templateParameter: [...route.path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\+?\}/g)].map((m) => ({ name: m[1], required: true, type: 'string' })),
        });
        let schemaId: string | undefined;
        if (route.body) {
          schemaId = `${opId}-body`;
          new ApiManagementApiSchema(this, `Schema-${key}-${i}`, {
            apiName: a.name,
            apiManagementName: this.apim.name,
            resourceGroupName: rgName,
            schemaId,
            contentType: 'application/vnd.ms-azure-apim.schema.definitions+json',
            value: JSON.stringify(route.body),
          });
        }
        const policy = new ApiManagementApiOperationPolicy(this, `OpPolicy-${key}-${opId}`, {
          apiName: a.name,
          apiManagementName: this.apim.name,
          resourceGroupName: rgName,
          operationId: op.operationId,
          xmlContent: operationPolicy(spec, route, { frontDoorId: fdid, apiPlan, schemaId, maxBodyBytes: spec.edge.maxBodyBytes }),
        });
        if (route.public) {
          acknowledgeTf(policy, 'SecureApiAz-ApimAuthorization', `Public route ${route.key} declared in the spec (publicReason): ${route.publicReason ?? ''}`);
        }
      });
    }
    this.apis = apis;

    if (!(props.defenderForApis ?? true)) {
      acknowledgeTf(this.apim, 'SecureApiAz-DefenderForApis', 'Defender for APIs turned off with the defenderForApis prop: the subscription plan is owned and enabled outside this stack');
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
    if (spec.regions.some((r) => /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(r))) {
      throw new PlatformValidationError(`spec.regions must be Azure region names (received: ${JSON.stringify(spec.regions)}); use e.g. "westeurope" and "northeurope", as exampleSpec('azure') does`, this);
    }
    if (spec.issuers.length === 0) {
      throw new PlatformValidationError('spec.identity.issuers must list at least one OIDC issuer on Azure (received: none); the managed user pool is Cognito on AWS only: add Entra ID or another OIDC issuer', this);
    }
    if (typeof props.publisherEmail !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.publisherEmail)) {
      throw new PlatformValidationError(`publisherEmail must be an email address (received: ${JSON.stringify(props.publisherEmail)}), e.g. "api-team@example.com"`, this);
    }
    if (props.apimCapacity !== undefined && !(Number.isInteger(props.apimCapacity) && props.apimCapacity >= 1 && props.apimCapacity <= 12)) {
      throw new PlatformValidationError(`apimCapacity must be a whole number of Premium units from 1 to 12 (received: ${JSON.stringify(props.apimCapacity)})`, this);
    }
    if (spec.hsmBacked && (props.hsmAdminObjectIds ?? []).length === 0) {
      throw new PlatformValidationError('hsmAdminObjectIds must list at least one Entra ID object id when spec.keys.hsmBacked is true (received: none); the Managed HSM needs administrators to download its security domain', this);
    }
    if (props.nameSuffix !== undefined && !/^[a-z0-9]{1,8}$/.test(props.nameSuffix)) {
      throw new PlatformValidationError(`nameSuffix must be 1-8 lowercase letters or digits (received: ${JSON.stringify(props.nameSuffix)}); it goes into storage account names`, this);
    }
  }

  private customRules(spec: ResolvedSpec): CdnFrontdoorFirewallPolicyCustomRule[] {
    const e = spec.edge;
    const rules: CdnFrontdoorFirewallPolicyCustomRule[] = [];
    const exempt = e.allowCidrs.length > 0 ? [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', negationCondition: true, matchValues: e.allowCidrs }] : [];
    if (e.denyCidrs.length > 0) {
      rules.push({ name: 'DenyCidrs', type: 'MatchRule', priority: 10, action: 'Block', matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', matchValues: e.denyCidrs }] });
    }
    if (e.blockCountries.length > 0) {
      rules.push({ name: 'BlockCountries', type: 'MatchRule', priority: 20, action: 'Block', matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'GeoMatch', matchValues: e.blockCountries }] });
    }
    rules.push({
      name: 'MaxBodySize',
      type: 'MatchRule',
      priority: 30,
      action: 'Block',
      matchCondition: [{ matchVariable: 'RequestHeader', selector: 'Content-Length', operator: 'GreaterThan', matchValues: [String(e.maxBodyBytes)] }],
    });
    rules.push({
      name: 'RateLimitPerIp',
      type: 'RateLimitRule',
      priority: 40,
      action: 'Block',
      rateLimitDurationInMinutes: 5,
      rateLimitThreshold: e.rateLimitPerIp,
      matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', matchValues: ['0.0.0.0/0', '::/0'] }, ...exempt],
    });
    rules.push({
      name: 'RateLimitPerApiKey',
      type: 'RateLimitRule',
      priority: 50,
      action: 'Block',
      rateLimitDurationInMinutes: 5,
      rateLimitThreshold: e.rateLimitPerApiKey,
      matchCondition: [{ matchVariable: 'RequestHeader', selector: e.apiKeyHeader, operator: 'Any', matchValues: [] }, ...exempt],
    });
    return rules;
  }
}

function nsgRule(name: string, priority: number, source: string, port: string, destination: string) {
  return {
    name,
    priority,
    direction: 'Inbound',
    access: 'Allow',
    protocol: 'Tcp',
    sourceAddressPrefix: source,
    sourcePortRange: '*',
    destinationAddressPrefix: destination,
    destinationPortRange: port,
  };
}
