import * as path from 'node:path';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { CosmosdbAccount } from '@cdktf/provider-azurerm/lib/cosmosdb-account';
import { CosmosdbSqlRoleAssignment } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment';
import { CosmosdbTable } from '@cdktf/provider-azurerm/lib/cosmosdb-table';
import { DataAzurermFunctionAppHostKeys } from '@cdktf/provider-azurerm/lib/data-azurerm-function-app-host-keys';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';
import { AzureFlexFunction, AzureFunctionAppsBase } from './functions';
import { PRIVATE_DNS_ZONES } from './network';
import { AuthorizerEndpoint } from './policies';
import { AZURE_AUTHORIZER_ENV, AZURE_AUTHORIZER_TABLE } from '../../lib/authorizer/adapters/azure-contract';
import { AuthorizerConfig, AuthorizerConfigError, RouteConfig } from '../../lib/authorizer/config';
import { validateAuthorizerConfig } from '../../lib/authorizer/config-validate';
import { PlatformValidationError } from '../../lib/errors';
import { packageRoot } from '../../lib/package-root';
import { ResolvedSpec } from '../../lib/spec';
import { externalIssuerConfigs } from '../../lib/spec/issuers';

/** The authorizer function's package, built ahead of synth by `npx projen bundle:azure`. */
export const AZURE_AUTHORIZER_PACKAGE = path.join(packageRoot(), 'assets', 'azure-authorizer.zip');

/** Built-in Cosmos DB data-plane role: read entities and metadata (the authorizer never writes). */
export const COSMOS_DATA_READER_ROLE = '00000000-0000-0000-0000-000000000001';

/** Name of the table holding API keys, revocations and tenants (one home: the Azure contract, which the CLI reads too). */
export const AUTHORIZER_TABLE = AZURE_AUTHORIZER_TABLE;

export interface AzureAuthorizerProps extends AzureFunctionAppsBase {
  /**
   * Cedar policies (text) the authorizer evaluates after the route scopes, as on AWS.
   * @default - none
   */
  readonly policies?: string;
}

/** The authorizer configuration of the spec's routes on Azure (every API of the spec is served by one function). */
export function azureAuthorizerConfig(spec: ResolvedSpec, policies?: string): AuthorizerConfig {
  const routes: Record<string, RouteConfig> = {};
  for (const r of spec.routes.filter((x) => !x.public)) {
    const existing = routes[r.key];
    if (existing && JSON.stringify(existing.scopes) !== JSON.stringify(r.scopes)) {
      throw new AuthorizerConfigError('routes', `route ${r.key} is declared by two APIs with different scopes (${JSON.stringify(existing.scopes)} and ${JSON.stringify(r.scopes)}); on Azure one authorizer serves every API: give the route one set of scopes`);
    }
    routes[r.key] = { scopes: [...r.scopes] };
  }
  return {
    issuers: externalIssuerConfigs(spec),
    routes,
    apiKeys: { header: spec.edge.apiKeyHeader },
    ...(policies ? { policies } : {}),
  };
}

/**
 * The authorizer on Azure: the same decision core as the Lambda, as a Flex Consumption function app in every region
 * (API Management calls its own region's app), reading API keys, revocations and tenants from a Cosmos DB for Table
 * account with a replica in every spec region (local keys off, no public network access, private endpoints,
 * encrypted with the data key). Each app reads with the built-in Data Reader role, through its managed identity.
 * API Management holds each app's function key as a secret named value.
 */
export class AzureAuthorizer extends Construct {
  public readonly account: CosmosdbAccount;
  public readonly table: CosmosdbTable;
  /** Per region, primary first. */
  public readonly functions: Readonly<Record<string, AzureFlexFunction>>;
  /** What the API policy needs to call each region's function. */
  public readonly endpoints: readonly AuthorizerEndpoint[];
  public readonly config: AuthorizerConfig;

  constructor(scope: Construct, id: string, props: AzureAuthorizerProps) {
    super(scope, id);
    const { spec, resourceGroup, network, keys } = props;
    const n = spec.name;
    const rgName = resourceGroup.name;
    try {
      this.config = azureAuthorizerConfig(spec, props.policies);
      validateAuthorizerConfig(this.config, { injectedStores: ['apiKeys', 'revocations', 'tenants'] });
    } catch (e) {
      throw new PlatformValidationError(`the spec does not make a valid authorizer configuration on Azure: ${(e as Error).message}`, this);
    }

    this.account = new CosmosdbAccount(this, 'Store', {
      name: `${n}-authz-${props.nameSuffix}`,
      location: spec.primaryRegion,
      resourceGroupName: rgName,
      offerType: 'Standard',
      kind: 'GlobalDocumentDB',
      capabilities: [{ name: 'EnableTable' }],
      // A replica in every spec region, each region's function reads its own; the primary takes the writes.
      geoLocation: spec.regions.map((location, i) => ({ location, failoverPriority: i, zoneRedundant: true })),
      automaticFailoverEnabled: true,
      consistencyPolicy: { consistencyLevel: 'Session' },
      localAuthenticationDisabled: true,
      publicNetworkAccessEnabled: false,
      isVirtualNetworkFilterEnabled: true,
      minimalTlsVersion: 'Tls12',
      accessKeyMetadataWritesEnabled: false,
      backup: { type: 'Continuous', tier: 'Continuous30Days' },
      identity: { type: 'UserAssigned', identityIds: [keys.encryptionIdentity.id] },
      defaultIdentityType: `UserAssignedIdentity=${keys.encryptionIdentity.id}`,
      keyVaultKeyId: keys.dataKey.versionlessId,
      dependsOn: [keys.encryptionGrant],
    });
    this.table = new CosmosdbTable(this, 'Table', { name: AUTHORIZER_TABLE, resourceGroupName: rgName, accountName: this.account.name });
    props.audit.addDiagnosticSetting('AuthorizerStore', this.account.id);

    const functions: Record<string, AzureFlexFunction> = {};
    const endpoints: AuthorizerEndpoint[] = [];
    for (const region of spec.regions) {
      new PrivateEndpoint(this, `StoreEndpoint-${region}`, {
        name: `${n}-authz-table-${region}-pe`,
        location: region,
        resourceGroupName: rgName,
        subnetId: network.regions[region].endpointSubnet.id,
        privateServiceConnection: { name: `${n}-authz-table-${region}`, isManualConnection: false, privateConnectionResourceId: this.account.id, subresourceNames: ['Table'] },
        privateDnsZoneGroup: { name: 'table', privateDnsZoneIds: [network.privateDnsZone(PRIVATE_DNS_ZONES.table).id] },
      });
      const fn = new AzureFlexFunction(this, `Function-${region}`, {
        resourceGroup,
        network,
        keys,
        audit: props.audit,
        insights: props.insights,
        region,
        name: `${n}-authz-${region}-${props.nameSuffix}`,
        storageName: `${n.replace(/-/g, '')}az${region.replace(/[^a-z0-9]/g, '')}${props.nameSuffix}`.slice(0, 24),
        packagePath: AZURE_AUTHORIZER_PACKAGE,
        appSettings: {
          [AZURE_AUTHORIZER_ENV.config]: JSON.stringify(this.config),
          [AZURE_AUTHORIZER_ENV.tableEndpoint]: `https://${this.account.name}.table.cosmos.azure.com:443/`,
          [AZURE_AUTHORIZER_ENV.tableName]: AUTHORIZER_TABLE,
        },
      });
      new CosmosdbSqlRoleAssignment(this, `StoreReader-${region}`, {
        resourceGroupName: rgName,
        accountName: this.account.name,
        roleDefinitionId: `${this.account.id}/sqlRoleDefinitions/${COSMOS_DATA_READER_ROLE}`,
        principalId: fn.principalId,
        scope: this.account.id,
      });
      const hostKeys = new DataAzurermFunctionAppHostKeys(this, `HostKeys-${region}`, { name: fn.app.name, resourceGroupName: rgName, dependsOn: [fn.app] });
      const keyName = `authorizer-key-${region}`;
      new ApiManagementNamedValue(this, `Key-${region}`, {
        name: keyName,
        displayName: keyName,
        resourceGroupName: rgName,
        apiManagementName: props.apim.name,
        secret: true,
        value: hostKeys.defaultFunctionKey,
      });
      functions[region] = fn;
      endpoints.push({ region, hostName: fn.app.defaultHostname, keyNamedValue: keyName });
    }
    this.functions = functions;
    this.endpoints = endpoints;
  }
}
