import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiOperation } from '@cdktf/provider-azurerm/lib/api-management-api-operation';
import { ApiManagementApiOperationPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-operation-policy';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { ApiManagementApiSchema } from '@cdktf/provider-azurerm/lib/api-management-api-schema';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Annotations, Fn } from 'cdktf';
import { Construct } from 'constructs';
import { acknowledgeTf } from './compliance';
import { AzureNetwork } from './network';
import { AzureApiBackend } from './backends';
import { apiPolicy, AuthorizerEndpoint, operationPolicy } from './policies';
import { PlatformValidationError } from '../../lib/errors';
import { ResolvedSpec } from '../../lib/spec';

export interface AzureGatewayProps {
  /** The resolved platform spec: regions (API Management locations), APIs, routes, plans, issuers, CORS, mTLS. */
  readonly spec: ResolvedSpec;
  /** Resource group holding API Management. */
  readonly resourceGroup: ResourceGroup;
  /** The network: API Management is injected in each region's `apim` subnet with that region's public IP. */
  readonly network: AzureNetwork;
  /** Publisher contact of API Management (notifications from the service). */
  readonly publisherEmail: string;
  /** Suffix that makes the API Management name globally unique. */
  readonly nameSuffix: string;
  /**
   * Publisher name of API Management.
   * @default - spec.name
   */
  readonly publisherName?: string;
  /**
   * Scale units of API Management per location (Premium).
   * @default 2 (one per availability zone pair, the minimum for zone redundancy)
   */
  readonly capacity?: number;
  /**
   * Availability zones of API Management in every location.
   * @default ['1', '2']
   */
  readonly zones?: string[];
}

/**
 * How long API Management caches an authorizer decision, in seconds: the same bound as the API Gateway authorizer
 * cache, so a revocation applies within it on both clouds.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** What `addApis` connects the APIs to. */
export interface AzureGatewayWiring {
  /** The authorizer function of every region, primary first. */
  readonly authorizers: readonly AuthorizerEndpoint[];
  /** The Functions backends of the Lambda-kind APIs, by `<name>-<version>`, primary region first. */
  readonly backends: Readonly<Record<string, readonly AzureApiBackend[]>>;
}

/** An API Management origin of the edge: the regional gateway host of one location. */
export interface AzureGatewayOrigin {
  readonly region: string;
  /** Host name of the regional gateway (a Terraform reference at synth). */
  readonly hostName: string;
}

/**
 * API Management Premium in every region of the spec (primary + `additional_location`, availability zones), injected
 * in the VNets in External mode, TLS 1.2+ with the weak protocols and CBC/3DES ciphers off, developer sign-up off,
 * a system-assigned identity. `addApis(frontDoorId)` renders the spec's APIs, operations, schemas and policies
 * (check-header X-Azure-FDID, validate-jwt, per-tenant rate limit and quota, validate-content, client certificates,
 * CORS, security headers); it takes the Front Door profile's id because Front Door in turn takes this gateway's
 * regional hosts as origins (`origins`).
 */
export class AzureGateway extends Construct {
  public readonly apim: ApiManagement;
  /** The regional gateway hosts, primary first: the edge's origins. */
  public readonly origins: readonly AzureGatewayOrigin[];
  /** The APIs by `<name>-<version>` (filled by `addApis`). */
  public readonly apis: Record<string, ApiManagementApi> = {};
  private readonly spec: ResolvedSpec;
  private readonly resourceGroup: ResourceGroup;
  private apisAdded = false;

  constructor(scope: Construct, id: string, props: AzureGatewayProps) {
    super(scope, id);
    const { spec, network } = props;
    this.spec = spec;
    this.resourceGroup = props.resourceGroup;
    if (typeof props.publisherEmail !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.publisherEmail)) {
      throw new PlatformValidationError(`publisherEmail must be an email address (received: ${JSON.stringify(props.publisherEmail)}), e.g. "api-team@example.com"`, this);
    }
    if (props.capacity !== undefined && !(Number.isInteger(props.capacity) && props.capacity >= 1 && props.capacity <= 12)) {
      throw new PlatformValidationError(`capacity must be a whole number of Premium units from 1 to 12 (received: ${JSON.stringify(props.capacity)})`, this);
    }
    const zones = props.zones ?? ['1', '2'];
    const capacity = props.capacity ?? 2;
    const primary = spec.primaryRegion;
    const secondaries = spec.secondaryRegions;
    this.apim = new ApiManagement(this, 'Apim', {
      name: `${spec.name}-apim-${props.nameSuffix}`,
      location: primary,
      resourceGroupName: props.resourceGroup.name,
      publisherEmail: props.publisherEmail,
      publisherName: props.publisherName ?? spec.name,
      skuName: `Premium_${capacity}`,
      zones,
      virtualNetworkType: 'External',
      virtualNetworkConfiguration: { subnetId: network.regions[primary].apimSubnet.id },
      publicIpAddressId: network.regions[primary].publicIp.id,
      additionalLocation: secondaries.map((region) => ({
        location: region,
        capacity,
        zones,
        publicIpAddressId: network.regions[region].publicIp.id,
        virtualNetworkConfiguration: { subnetId: network.regions[region].apimSubnet.id },
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
    this.origins = [
      { region: primary, hostName: Fn.replace(this.apim.gatewayRegionalUrl, 'https://', '') },
      ...secondaries.map((region, i) => ({ region, hostName: Fn.replace(this.apim.additionalLocation.get(i).gatewayRegionalUrl, 'https://', '') })),
    ];
    // API Management is reached through Front Door only, and Front Door does not forward client certificates.
    for (const api of spec.apis.filter((a) => a.mtls === true)) {
      Annotations.of(this).addWarning(`apis "${api.name}-${api.version}": mtls cannot work on Azure yet: API Management is reachable only through Front Door, which does not pass client certificates, so validate-client-certificate refuses every request to this API (see the parity table's partner mTLS gap)`);
    }
    // validate-jwt takes an OpenID configuration URL or inline keys, never a JWKS URL (see policies.ts): say so.
    for (const issuer of spec.issuers) {
      if (issuer.jwksUriFromSpec) {
        Annotations.of(this).addWarning(`identity.issuers "${issuer.name}": jwksUri ${issuer.jwksUri} is not used on Azure; API Management reads the signing keys from the jwks_uri of ${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      }
    }
    this.node.addValidation({
      validate: () => (this.apisAdded ? [] : [`[${this.node.path}] the spec's APIs were never rendered: call addApis(frontDoorId, wiring) with the Front Door profile's resource GUID`]),
    });
  }

  /**
   * Renders the spec's APIs, operations, body schemas and policies; `frontDoorId` (the Front Door profile's
   * `resourceGuid`) is what every API checks in `X-Azure-FDID`. Call once.
   */
  public addApis(frontDoorId: string, wiring: AzureGatewayWiring): Readonly<Record<string, ApiManagementApi>> {
    if (this.apisAdded) throw new PlatformValidationError('addApis() was already called (received: a second call); the spec\'s APIs are rendered once', this);
    this.apisAdded = true;
    const spec = this.spec;
    const rgName = this.resourceGroup.name;
    const apimName = this.apim.name;
    for (const api of spec.apis) {
      const key = `${api.name}-${api.version}`;
      const apiPlan = api.plan ?? Object.keys(spec.plans)[0];
      const backends = wiring.backends[key] ?? [];
      if ((api.backend?.kind ?? 'lambda') === 'lambda' && backends.length === 0) {
        throw new PlatformValidationError(`API ${key} has a lambda backend but no Functions backend was given to addApis (received: ${JSON.stringify(Object.keys(wiring.backends))}); pass AzureFunctionBackends.backends`, this);
      }
      const a = new ApiManagementApi(this, `Api-${key}`, {
        name: key,
        resourceGroupName: rgName,
        apiManagementName: apimName,
        revision: '1',
        displayName: `${api.name} ${api.version}`,
        path: `${api.name}/${api.version}`,
        protocols: ['https'],
        subscriptionRequired: false,
        // Lambda-kind APIs: the primary region's function app (the API policy picks each region's own backend entity).
        serviceUrl: api.backend?.url ?? backends[0]?.url,
      });
      this.apis[key] = a;
      new ApiManagementApiPolicy(this, `ApiPolicy-${key}`, {
        apiName: a.name,
        apiManagementName: apimName,
        resourceGroupName: rgName,
        xmlContent: apiPolicy(spec, {
          frontDoorId,
          plan: apiPlan,
          mtls: api.mtls === true,
          authorizers: wiring.authorizers,
          // The AWS authorizer cache: 5 minutes, off for mTLS APIs (a decision there depends on the certificate).
          cacheSeconds: api.mtls === true ? 0 : AUTHORIZER_CACHE_SECONDS,
          apiKeyHeader: spec.edge.apiKeyHeader,
          backends,
          sunset: api.deprecation?.sunset,
        }),
      });
      spec.routes.filter((r) => r.api === api.name && r.version === api.version).forEach((route, i) => {
        const opId = `${route.method.toLowerCase()}-${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
        const op = new ApiManagementApiOperation(this, `Op-${key}-${opId}`, {
          operationId: opId,
          apiName: a.name,
          apiManagementName: apimName,
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
            apiManagementName: apimName,
            resourceGroupName: rgName,
            schemaId,
            contentType: 'application/vnd.ms-azure-apim.schema.definitions+json',
            value: JSON.stringify(route.body),
          });
        }
        const policy = new ApiManagementApiOperationPolicy(this, `OpPolicy-${key}-${opId}`, {
          apiName: a.name,
          apiManagementName: apimName,
          resourceGroupName: rgName,
          operationId: op.operationId,
          xmlContent: operationPolicy(spec, route, { frontDoorId, apiPlan, schemaId, maxBodyBytes: spec.edge.maxBodyBytes, backends }),
        });
        if (route.public) {
          acknowledgeTf(policy, 'SecureApiAz-ApimAuthorization', `Public route ${route.key} declared in the spec (publicReason): ${route.publicReason ?? ''}`);
        }
      });
    }
    return this.apis;
  }
}
