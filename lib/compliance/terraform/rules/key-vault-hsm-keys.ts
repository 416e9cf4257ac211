import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { expectLiteral, isUnresolved, verdict } from '../util';

/** Keys are HSM-protected (FIPS 140 Level 3): RSA-HSM / EC-HSM keys in a Premium vault. */
export const KeyVaultHsmKeys: TfRule = {
  id: 'SecureApiAz-KeyVaultHsmKeys',
  requirement: 'Key Vault keys are HSM-backed (key_type RSA-HSM or EC-HSM, RSA >= 3072 bits) and vaults holding them are Premium',
  controls: CONTROL_SETS.keyManagement,
  resourceTypes: ['azurerm_key_vault_key', 'azurerm_key_vault'],
  check: (r) => {
    const a = r.attributes;
    if (r.type === 'azurerm_key_vault') return verdict(expectLiteral(a, 'sku_name', 'premium', 'only Premium vaults hold HSM-protected keys'));
    const t = a.key_type;
    const problems: string[] = [];
    if (isUnresolved(t) || (t !== 'RSA-HSM' && t !== 'EC-HSM')) problems.push(`key_type must be "RSA-HSM" or "EC-HSM" (received: ${JSON.stringify(t)})`);
    if (t === 'RSA-HSM' && !(typeof a.key_size === 'number' && a.key_size >= 3072)) problems.push(`key_size must be at least 3072 for RSA keys (received: ${JSON.stringify(a.key_size)})`);
    return verdict(problems);
  },
};
