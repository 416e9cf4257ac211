import { NetworkDdosProtectionPlan } from '@cdktf/provider-azurerm/lib/network-ddos-protection-plan';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { ResolvedSpec } from '../../lib/spec';

/** Address space of the virtual network of the i-th region of the spec (one /16 per region, primary first). */
export const azureVnetCidr = (i: number): string => `10.${20 + i}.0.0/16`;

/** Private DNS zones of the private endpoints the platform creates (Azure public cloud). */
export const PRIVATE_DNS_ZONES = {
  vault: 'privatelink.vaultcore.azure.net',
  blob: 'privatelink.blob.core.windows.net',
  /** Function apps (inbound private endpoints). */
  sites: 'privatelink.azurewebsites.net',
  /** Cosmos DB for Table. */
  table: 'privatelink.table.cosmos.azure.com',
} as const;

/** One region of the platform's network. */
export interface AzureRegionResources {
  readonly vnet: VirtualNetwork;
  readonly apimSubnet: Subnet;
  /** Subnet of the private endpoints (Key Vault, audit archive). */
  readonly endpointSubnet: Subnet;
  /** Subnet the Flex Consumption function apps integrate with (outbound), delegated to Microsoft.App/environments. */
  readonly functionsSubnet: Subnet;
  readonly nsg: NetworkSecurityGroup;
  readonly publicIp: PublicIp;
}

export interface AzureNetworkProps {
  /** The resolved platform spec (name, regions: primary first). */
  readonly spec: ResolvedSpec;
  /** Resource group holding the network. */
  readonly resourceGroup: ResourceGroup;
  /** Suffix of the API Management public IPs' DNS labels (globally unique per region). */
  readonly nameSuffix: string;
  /**
   * Availability zones of the API Management public IPs (the same zones as API Management).
   * @default ['1', '2']
   */
  readonly zones?: string[];
}

/**
 * The platform's network: one DDoS Network Protection plan shared by every region, and per region a virtual network
 * (`10.<20+i>.0.0/16`) under that plan with the API Management subnet, the functions subnet (Flex Consumption VNet integration) (NSG admitting Front Door on 443, the APIM
 * management endpoint and the Azure load balancer, deny-all otherwise), a private-endpoint subnet and the zonal
 * Standard public IP API Management needs in VNet External mode. Private DNS zones are added on demand.
 */
export class AzureNetwork extends Construct {
  public readonly ddosPlan: NetworkDdosProtectionPlan;
  /** Per region (spec order). */
  public readonly regions: Readonly<Record<string, AzureRegionResources>>;
  /** The primary region's resources (private endpoints live there). */
  public readonly primary: AzureRegionResources;
  private readonly zonesByName = new Map<string, PrivateDnsZone>();
  private readonly resourceGroup: ResourceGroup;

  constructor(scope: Construct, id: string, props: AzureNetworkProps) {
    super(scope, id);
    const { spec, resourceGroup } = props;
    const n = spec.name;
    const rgName = resourceGroup.name;
    const zones = props.zones ?? ['1', '2'];
    this.resourceGroup = resourceGroup;
    this.ddosPlan = new NetworkDdosProtectionPlan(this, 'DdosPlan', { name: `${n}-ddos`, location: spec.primaryRegion, resourceGroupName: rgName });
    const regions: Record<string, AzureRegionResources> = {};
    spec.regions.forEach((region, i) => {
      const vnet = new VirtualNetwork(this, `Vnet-${region}`, {
        name: `${n}-${region}-vnet`,
        location: region,
        resourceGroupName: rgName,
        addressSpace: [azureVnetCidr(i)],
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
      const functionsSubnet = new Subnet(this, `FunctionsSubnet-${region}`, {
        name: 'functions',
        resourceGroupName: rgName,
        virtualNetworkName: vnet.name,
        addressPrefixes: [`10.${20 + i}.3.0/24`],
        // Flex Consumption integrates through a subnet delegated to Container Apps environments; the deployment
        // storage admits this subnet through its service endpoint.
        delegation: [{ name: 'flex', serviceDelegation: { name: 'Microsoft.App/environments', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] } }],
        serviceEndpoints: ['Microsoft.Storage'],
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
        domainNameLabel: `${n}-${region}-${props.nameSuffix}`,
        zones,
      });
      regions[region] = { vnet, apimSubnet, endpointSubnet, functionsSubnet, nsg, publicIp };
    });
    this.regions = regions;
    this.primary = regions[spec.primaryRegion];
  }

  /**
   * The private DNS zone `zoneName` (e.g. `PRIVATE_DNS_ZONES.blob`), linked to every region's VNet, so names of
   * private endpoints resolve to their private addresses from inside the platform. Created once per zone name.
   */
  public privateDnsZone(zoneName: string): PrivateDnsZone {
    const existing = this.zonesByName.get(zoneName);
    if (existing) return existing;
    const key = zoneName.replace(/^privatelink\./, '').replace(/[^A-Za-z0-9]+/g, '-');
    const zone = new PrivateDnsZone(this, `Dns-${key}`, { name: zoneName, resourceGroupName: this.resourceGroup.name });
    for (const [region, r] of Object.entries(this.regions)) {
      new PrivateDnsZoneVirtualNetworkLink(this, `DnsLink-${key}-${region}`, {
        name: `${key}-${region}`,
        resourceGroupName: this.resourceGroup.name,
        privateDnsZoneName: zone.name,
        virtualNetworkId: r.vnet.id,
        registrationEnabled: false,
      });
    }
    this.zonesByName.set(zoneName, zone);
    return zone;
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
