import { ApiManagementBackend } from '@cdktf/provider-azurerm/lib/api-management-backend';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { DataAzurermFunctionAppHostKeys } from '@cdktf/provider-azurerm/lib/data-azurerm-function-app-host-keys';
import { Construct } from 'constructs';
import { AzureFlexFunction, AzureFunctionAppsBase } from './functions';
import { PlatformValidationError } from '../../lib/errors';

/** App setting holding the table endpoint of a backend app's own storage account (its data and idempotency records). */
export const BACKEND_TABLE_ENDPOINT_SETTING = 'APP_TABLE_ENDPOINT';

/** A function backend of one API in one region, as the API policy selects it. */
export interface AzureApiBackend {
  readonly region: string;
  /** Name of the API Management backend entity. */
  readonly backendId: string;
  /** Base URL of the function app's HTTP routes (a Terraform reference at synth). */
  readonly url: string;
}

/** One Lambda-kind API's package on Azure: a zip of a Functions v4 app built ahead of synth. */
export interface AzureBackendPackage {
  /** Path of the zip (e.g. from `npx projen bundle:azure`). */
  readonly packagePath: string;
  /**
   * App settings of the backend (configuration, never secrets).
   * @default - none besides the platform's
   */
  readonly appSettings?: Record<string, string>;
}

export interface AzureFunctionBackendsProps extends AzureFunctionAppsBase {
  /** Packages of the Lambda-kind APIs, by `<name>-<version>`: every such API needs one. */
  readonly packages: Readonly<Record<string, AzureBackendPackage>>;
}

/**
 * The backends of the spec's Lambda-kind APIs on Azure: per API and region a Flex Consumption function app (managed
 * identity, private endpoint, VNet integration; see `AzureFlexFunction`) and an API Management backend entity that
 * reaches it over HTTPS with certificate chain and name validation, authenticating with the app's function key (an
 * API Management secret named value). Each API Management region calls its own region's app.
 */
export class AzureFunctionBackends extends Construct {
  /** By `<name>-<version>`, primary region first. */
  public readonly backends: Readonly<Record<string, readonly AzureApiBackend[]>>;
  /** By `<name>-<version>`, then region. */
  public readonly functions: Readonly<Record<string, Readonly<Record<string, AzureFlexFunction>>>>;

  constructor(scope: Construct, id: string, props: AzureFunctionBackendsProps) {
    super(scope, id);
    const { spec } = props;
    const rgName = props.resourceGroup.name;
    const backends: Record<string, AzureApiBackend[]> = {};
    const functions: Record<string, Record<string, AzureFlexFunction>> = {};
    for (const api of spec.apis.filter((a) => (a.backend?.kind ?? 'lambda') === 'lambda')) {
      const key = `${api.name}-${api.version}`;
      const pkg = props.packages[key];
      if (!pkg) {
        throw new PlatformValidationError(
          `backendPackages["${key}"] is required: API ${key} has a lambda backend, which runs as a Flex Consumption function app on Azure (received: ${JSON.stringify(Object.keys(props.packages))}); `
          + 'pass the zip of its Functions v4 app, or give the API an http backend with its url',
          this,
        );
      }
      backends[key] = [];
      functions[key] = {};
      const short = `${api.name}${api.version}`.replace(/[^a-z0-9]/g, '');
      for (const region of spec.regions) {
        const fn = new AzureFlexFunction(this, `Function-${key}-${region}`, {
          resourceGroup: props.resourceGroup,
          network: props.network,
          keys: props.keys,
          audit: props.audit,
          insights: props.insights,
          region,
          name: `${spec.name}-${key}-${region}-${props.nameSuffix}`,
          storageName: `${short}${region.replace(/[^a-z0-9]/g, '')}${props.nameSuffix}`.slice(0, 24),
          packagePath: pkg.packagePath,
          appSettings: { ...pkg.appSettings },
          tableEndpointSetting: BACKEND_TABLE_ENDPOINT_SETTING,
        });
        const hostKeys = new DataAzurermFunctionAppHostKeys(this, `HostKeys-${key}-${region}`, { name: fn.app.name, resourceGroupName: rgName, dependsOn: [fn.app] });
        const keyName = `backend-key-${key}-${region}`;
        new ApiManagementNamedValue(this, `Key-${key}-${region}`, {
          name: keyName,
          displayName: keyName,
          resourceGroupName: rgName,
          apiManagementName: props.apim.name,
          secret: true,
          value: hostKeys.defaultFunctionKey,
        });
        const backendId = `${key}-${region}`;
        const url = `https://${fn.app.defaultHostname}/api`;
        new ApiManagementBackend(this, `Backend-${key}-${region}`, {
          name: backendId,
          resourceGroupName: rgName,
          apiManagementName: props.apim.name,
          protocol: 'http',
          url,
          resourceId: `https://management.azure.com${fn.app.id}`,
          description: `${key} in ${region}: Flex Consumption function app`,
          credentials: { header: { 'x-functions-key': `{{${keyName}}}` } },
          tls: { validateCertificateChain: true, validateCertificateName: true },
        });
        backends[key].push({ region, backendId, url });
        functions[key][region] = fn;
      }
    }
    this.backends = backends;
    this.functions = functions;
  }
}
