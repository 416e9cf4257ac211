import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { AzureNetwork, PRIVATE_DNS_ZONES } from './network';
import { PlatformValidationError } from '../../lib/errors';
import { ResolvedSpec } from '../../lib/spec';

/**
 * Built-in Key Vault data-plane roles (Azure RBAC), by name. The platform grants the narrowest role a consumer needs,
 * scoped to the vault.
 */
export const KeyVaultRole = {
  /** Read secret contents (API Management named values and certificates). */
  SECRETS_USER: 'Key Vault Secrets User',
  /** Cryptographic operations with keys (wrap/unwrap, encrypt/decrypt, sign/verify); no key management. */
  CRYPTO_USER: 'Key Vault Crypto User',
  /** Key management (create, rotate, delete keys): the identity that deploys the vault's keys. */
  CRYPTO_OFFICER: 'Key Vault Crypto Officer',
  /** Wrap and unwrap with a key: what Storage and Cosmos DB need to use a customer-managed key. */
  CRYPTO_SERVICE_ENCRYPTION_USER: 'Key Vault Crypto Service Encryption User',
} as const;
export type KeyVaultRole = typeof KeyVaultRole[keyof typeof KeyVaultRole];

export interface AzureKeysProps {
  /** The resolved platform spec: name, primary region, `keys.hsmBacked` (adds a Managed HSM). */
  readonly spec: ResolvedSpec;
  /** Resource group holding the vault. */
  readonly resourceGroup: ResourceGroup;
  /** The network: the vault's private endpoint goes into the primary region's private-endpoint subnet. */
  readonly network: AzureNetwork;
  /** Suffix that makes the vault and HSM names globally unique. */
  readonly nameSuffix: string;
  /**
   * Object ids (Entra ID) of the Managed HSM administrators; required when `spec.keys.hsmBacked` is true.
   * @default - none
   */
  readonly hsmAdminObjectIds?: string[];
  /**
   * Grant the identity running Terraform `Key Vault Crypto Officer` on the vault, so it can create and rotate the
   * data key under RBAC authorization. Turn off only where that role is granted (e.g. through PIM) outside this stack.
   * @default true
   */
  readonly grantDeployerKeyManagement?: boolean;
}

/**
 * The platform's keys: Key Vault Premium (RBAC authorization, purge protection, 90-day soft delete, no public network
 * access, a private endpoint with its private DNS zone in the primary VNet) holding an RSA-HSM 3072 data key with a
 * rotation policy; and a Managed HSM (FIPS 140-3 Level 3, single tenant) when the spec asks for HSM-backed keys.
 * Consumers get data-plane roles scoped to the vault with `grant` (the vault has no access policies).
 */
export class AzureKeys extends Construct {
  public readonly keyVault: KeyVault;
  public readonly dataKey: KeyVaultKey;
  public readonly managedHsm?: KeyVaultManagedHardwareSecurityModule;
  public readonly vaultEndpoint: PrivateEndpoint;
  /** The deployer's key-management role on the vault (undefined when `grantDeployerKeyManagement` is false). */
  public readonly deployerKeyManagement?: RoleAssignment;
  /**
   * The identity Storage accounts and Cosmos DB accounts use to reach the data key (customer-managed key): a
   * user-assigned identity, so the key can be set when the account is created. It may wrap and unwrap only.
   */
  public readonly encryptionIdentity: UserAssignedIdentity;
  /** The encryption identity's role on the vault; accounts that use the key depend on it. */
  public readonly encryptionGrant: RoleAssignment;
  /** Role assignments made with `grant`, by id. */
  public readonly roleAssignments: Record<string, RoleAssignment> = {};

  constructor(scope: Construct, id: string, props: AzureKeysProps) {
    super(scope, id);
    const { spec, resourceGroup, network } = props;
    const n = spec.name;
    const primary = spec.primaryRegion;
    const rgName = resourceGroup.name;
    if (spec.hsmBacked && (props.hsmAdminObjectIds ?? []).length === 0) {
      throw new PlatformValidationError('hsmAdminObjectIds must list at least one Entra ID object id when spec.keys.hsmBacked is true (received: none); the Managed HSM needs administrators to download its security domain', this);
    }
    const client = new DataAzurermClientConfig(this, 'Client');

    this.keyVault = new KeyVault(this, 'KeyVault', {
      name: `${n}-kv-${props.nameSuffix}`.slice(0, 24),
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
    this.vaultEndpoint = new PrivateEndpoint(this, 'KeyVaultEndpoint', {
      name: `${n}-kv-pe`,
      location: primary,
      resourceGroupName: rgName,
      subnetId: network.primary.endpointSubnet.id,
      privateServiceConnection: { name: `${n}-kv`, isManualConnection: false, privateConnectionResourceId: this.keyVault.id, subresourceNames: ['vault'] },
      privateDnsZoneGroup: { name: 'vault', privateDnsZoneIds: [network.privateDnsZone(PRIVATE_DNS_ZONES.vault).id] },
    });
    if (props.grantDeployerKeyManagement ?? true) {
      this.deployerKeyManagement = new RoleAssignment(this, 'DeployerKeyManagement', {
        scope: this.keyVault.id,
        roleDefinitionName: KeyVaultRole.CRYPTO_OFFICER,
        principalId: client.objectId,
        description: 'Terraform deployer: creates and rotates the platform keys (RBAC-authorized vault)',
      });
    }
    this.dataKey = new KeyVaultKey(this, 'DataKey', {
      name: `${n}-data`,
      keyVaultId: this.keyVault.id,
      keyType: 'RSA-HSM',
      keySize: 3072,
      keyOpts: ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      rotationPolicy: { expireAfter: 'P2Y', notifyBeforeExpiry: 'P30D', automatic: { timeBeforeExpiry: 'P60D' } },
      // Under RBAC authorization the key can only be created once the deployer's role exists.
      dependsOn: this.deployerKeyManagement ? [this.deployerKeyManagement] : undefined,
    });
    this.encryptionIdentity = new UserAssignedIdentity(this, 'EncryptionIdentity', { name: `${n}-cmk`, location: primary, resourceGroupName: rgName });
    this.encryptionGrant = this.grant('Encryption', this.encryptionIdentity.principalId, KeyVaultRole.CRYPTO_SERVICE_ENCRYPTION_USER, 'Storage and Cosmos DB: wrap and unwrap with the data key (customer-managed key)');
    if (spec.hsmBacked) {
      this.managedHsm = new KeyVaultManagedHardwareSecurityModule(this, 'ManagedHsm', {
        name: `${n}-hsm-${props.nameSuffix}`,
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
    }
  }

  /**
   * Grants `principalId` — a managed identity or service principal, e.g. a system-assigned identity's principal
   * id — the data-plane `role` on this vault only. Use the narrowest role: `KeyVaultRole.SECRETS_USER` to read secrets, `CRYPTO_USER` to use keys.
   */
  public grant(id: string, principalId: string, role: KeyVaultRole, description?: string): RoleAssignment {
    const assignment = new RoleAssignment(this, `Grant-${id}`, {
      scope: this.keyVault.id,
      roleDefinitionName: role,
      principalId,
      principalType: 'ServicePrincipal',
      description,
    });
    this.roleAssignments[id] = assignment;
    return assignment;
  }
}
