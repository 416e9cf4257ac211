import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { expectLiteral, numberOf, verdict } from '../util';

/** Key Vaults and Managed HSMs keep deleted keys recoverable: purge protection on, soft delete for 90 days. */
export const KeyVaultRecovery: TfRule = {
  id: 'SecureApiAz-KeyVaultRecovery',
  requirement: 'Key Vaults and Managed HSMs have purge protection enabled and a 90-day soft-delete retention',
  controls: CONTROL_SETS.keyRecovery,
  resourceTypes: ['azurerm_key_vault', 'azurerm_key_vault_managed_hardware_security_module'],
  check: (r) => {
    const problems = expectLiteral(r.attributes, 'purge_protection_enabled', true, 'a deleted key could otherwise be purged and the data lost');
    const days = numberOf(r.attributes, 'soft_delete_retention_days');
    if (days !== 90) problems.push(`soft_delete_retention_days must be 90 (received: ${JSON.stringify(r.attributes.soft_delete_retention_days)})`);
    return verdict(problems);
  },
};
