import { existsSync } from 'node:fs';
import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { AzureAudit, SECURE_STORAGE } from './audit';
import { AzureKeys } from './keys';
import { AzureNetwork, PRIVATE_DNS_ZONES } from './network';
import { PlatformValidationError } from '../../lib/errors';
import { ResolvedSpec } from '../../lib/spec';

/** Node.js version of the Flex Consumption apps (the newest Flex Consumption offers). */
export const AZURE_FUNCTIONS_NODE_VERSION = '22';

/** What the platform's function apps (authorizer, backends) are built from. */
export interface AzureFunctionAppsBase {
  readonly spec: ResolvedSpec;
  readonly resourceGroup: ResourceGroup;
  readonly network: AzureNetwork;
  readonly keys: AzureKeys;
  readonly audit: AzureAudit;
  /** API Management: holds each app's function key as a secret named value. */
  readonly apim: ApiManagement;
  readonly insights: ApplicationInsights;
  readonly nameSuffix: string;
}

export interface AzureFlexFunctionProps {
  /** Resource group of the app, its plan and its deployment storage. */
  readonly resourceGroup: ResourceGroup;
  readonly network: AzureNetwork;
  readonly keys: AzureKeys;
  readonly audit: AzureAudit;
  /** Azure region of the app. */
  readonly region: string;
  /** Name of the app (globally unique: `<name>.azurewebsites.net`). */
  readonly name: string;
  /** Name of the deployment storage account (3-24 lowercase letters and digits, globally unique). */
  readonly storageName: string;
  /** The zip package (built ahead of synth), deployed with the app. */
  readonly packagePath: string;
  /** App settings (configuration, never secrets). */
  readonly appSettings: Record<string, string>;
  /** Application Insights component the app publishes to (Entra ID authentication: the app's identity publishes). */
  readonly insights: ApplicationInsights;
  /**
   * App setting that receives the table endpoint of the app's storage account, where the app keeps its own data
   * (through its identity, with Storage Table Data Contributor on that account).
   * @default - the app keeps no data there
   */
  readonly tableEndpointSetting?: string;
  /**
   * Maximum instances (the Flex Consumption scale-out cap).
   * @default 40
   */
  readonly maximumInstanceCount?: number;
}

/**
 * A Flex Consumption function app (Linux, Node.js) behind the gateway only: no public network access (a private
 * endpoint in the region's endpoint subnet instead), outbound through the region's delegated functions subnet, HTTPS
 * only with TLS 1.2 minimum (App Service's highest settable minimum in azurerm 4.55 is 1.3 for the site only; see the
 * parity table), FTP/basic publishing off, a system-assigned identity that reads its deployment package from a
 * storage account encrypted with the platform's data key (customer-managed), with shared keys off.
 */
export class AzureFlexFunction extends Construct {
  public readonly app: FunctionAppFlexConsumption;
  public readonly plan: ServicePlan;
  public readonly storage: StorageAccount;
  public readonly endpoint: PrivateEndpoint;
  /** The app's managed identity (principal id). */
  public readonly principalId: string;

  constructor(scope: Construct, id: string, props: AzureFlexFunctionProps) {
    super(scope, id);
    const { resourceGroup, network, keys, region } = props;
    const rgName = resourceGroup.name;
    const r = network.regions[region];
    if (!existsSync(props.packagePath)) {
      throw new PlatformValidationError(`packagePath must be a zip built ahead of synth (received: ${props.packagePath}, which does not exist); run \`npx projen bundle:azure\``, this);
    }
    const asset = new TerraformAsset(this, 'Package', { path: props.packagePath, type: AssetType.FILE });

    this.storage = new StorageAccount(this, 'Storage', {
      name: props.storageName,
      location: region,
      resourceGroupName: rgName,
      accountTier: 'Standard',
      accountReplicationType: 'ZRS',
      ...SECURE_STORAGE,
      // The app reaches its package through the functions subnet's service endpoint; nothing else does.
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'], virtualNetworkSubnetIds: [r.functionsSubnet.id] },
      identity: { type: 'UserAssigned', identityIds: [keys.encryptionIdentity.id] },
      customerManagedKey: { keyVaultKeyId: keys.dataKey.versionlessId, userAssignedIdentityId: keys.encryptionIdentity.id },
      dependsOn: [keys.encryptionGrant],
    });
    const container = new StorageContainer(this, 'Deployments', { name: 'deployments', storageAccountId: this.storage.id, containerAccessType: 'private' });
    this.plan = new ServicePlan(this, 'Plan', { name: `${props.name}-plan`, location: region, resourceGroupName: rgName, osType: 'Linux', skuName: 'FC1' });
    this.app = new FunctionAppFlexConsumption(this, 'App', {
      name: props.name,
      location: region,
      resourceGroupName: rgName,
      servicePlanId: this.plan.id,
      runtimeName: 'node',
      runtimeVersion: AZURE_FUNCTIONS_NODE_VERSION,
      storageContainerType: 'blobContainer',
      storageContainerEndpoint: `${this.storage.primaryBlobEndpoint}${container.name}`,
      storageAuthenticationType: 'SystemAssignedIdentity',
      zipDeployFile: asset.path,
      maximumInstanceCount: props.maximumInstanceCount ?? 40,
      instanceMemoryInMb: 2048,
      httpsOnly: true,
      publicNetworkAccessEnabled: false,
      virtualNetworkSubnetId: r.functionsSubnet.id,
      webdeployPublishBasicAuthenticationEnabled: false,
      clientCertificateEnabled: false,
      identity: { type: 'SystemAssigned' },
      appSettings: {
        ...props.appSettings,
        ...(props.tableEndpointSetting ? { [props.tableEndpointSetting]: this.storage.primaryTableEndpoint } : {}),
        // Application Insights with Entra ID: the app's identity publishes (the component has local auth off).
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
      },
      siteConfig: {
        minimumTlsVersion: '1.2',
        scmMinimumTlsVersion: '1.2',
        http2Enabled: true,
        remoteDebuggingEnabled: false,
        applicationInsightsConnectionString: props.insights.connectionString,
        ipRestrictionDefaultAction: 'Deny',
        scmIpRestrictionDefaultAction: 'Deny',
      },
    });
    this.principalId = this.app.identity.principalId;
    new RoleAssignment(this, 'PackageReader', {
      scope: this.storage.id,
      roleDefinitionName: 'Storage Blob Data Owner',
      principalId: this.principalId,
      principalType: 'ServicePrincipal',
      description: `${props.name}: reads its deployment package (Flex Consumption, identity-based storage access)`,
    });
    if (props.tableEndpointSetting) {
      new RoleAssignment(this, 'TableData', {
        scope: this.storage.id,
        roleDefinitionName: 'Storage Table Data Contributor',
        principalId: this.principalId,
        principalType: 'ServicePrincipal',
        description: `${props.name}: reads and writes its own tables`,
      });
    }
    new RoleAssignment(this, 'TelemetryPublisher', {
      scope: props.insights.id,
      roleDefinitionName: 'Monitoring Metrics Publisher',
      principalId: this.principalId,
      principalType: 'ServicePrincipal',
      description: `${props.name}: publishes its logs and metrics to Application Insights (local auth off)`,
    });
    this.endpoint = new PrivateEndpoint(this, 'Endpoint', {
      name: `${props.name}-pe`,
      location: region,
      resourceGroupName: rgName,
      subnetId: r.endpointSubnet.id,
      privateServiceConnection: { name: props.name, isManualConnection: false, privateConnectionResourceId: this.app.id, subresourceNames: ['sites'] },
      privateDnsZoneGroup: { name: 'sites', privateDnsZoneIds: [network.privateDnsZone(PRIVATE_DNS_ZONES.sites).id] },
    });
    props.audit.addDiagnosticSetting(`Function-${props.name}`, this.app.id);
  }
}
