import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, ofType, references, verdict } from '../util';

/**
 * Data at rest is encrypted with the platform's customer-managed key: storage accounts through a `customer_managed_key`
 * block (or an `azurerm_storage_account_customer_managed_key`), Cosmos DB accounts through `key_vault_key_id` (or
 * `managed_hsm_key_id`) with the identity that may use it.
 */
export const CustomerManagedKey: TfRule = {
  id: 'SecureApiAz-CustomerManagedKey',
  requirement: 'Storage and Cosmos DB accounts are encrypted with a customer-managed key from the platform Key Vault or Managed HSM',
  controls: CONTROL_SETS.keyManagement,
  resourceTypes: ['azurerm_storage_account', 'azurerm_cosmosdb_account'],
  check: (r, ctx) => {
    const a = r.attributes;
    if (r.type === 'azurerm_cosmosdb_account') {
      const key = a.key_vault_key_id ?? a.managed_hsm_key_id;
      return verdict(typeof key === 'string' && key !== '' ? [] : ['key_vault_key_id is unset: the account is encrypted with a Microsoft-managed key; set it to the platform data key (versionless id) with default_identity_type naming an identity that may use it']);
    }
    const cmk = block(a, 'customer_managed_key');
    const inline = typeof cmk?.key_vault_key_id === 'string' || typeof cmk?.managed_hsm_key_id === 'string';
    const separate = ofType(ctx.resources, 'azurerm_storage_account_customer_managed_key').some((k) => references(k.attributes.storage_account_id, r));
    return verdict(inline || separate ? [] : ['no customer_managed_key: the account is encrypted with a Microsoft-managed key; add customer_managed_key with the platform data key and a user-assigned identity that may wrap and unwrap']);
  },
};
