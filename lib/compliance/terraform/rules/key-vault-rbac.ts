import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, verdict } from '../util';

/** Key Vaults authorize data-plane access with Azure RBAC (scoped roles, PIM, audited), not vault access policies. */
export const KeyVaultRbac: TfRule = {
  id: 'SecureApiAz-KeyVaultRbac',
  requirement: 'Key Vaults use RBAC authorization (rbac_authorization_enabled) and no access policies',
  controls: CONTROL_SETS.leastPrivilege,
  resourceTypes: ['azurerm_key_vault'],
  check: (r) => {
    const a = r.attributes;
    const problems: string[] = [];
    if (a.rbac_authorization_enabled !== true && a.enable_rbac_authorization !== true) {
      problems.push(`rbac_authorization_enabled must be true (received: ${JSON.stringify(a.rbac_authorization_enabled ?? a.enable_rbac_authorization)})`);
    }
    if (blocks(a, 'access_policy').length > 0) problems.push('access_policy blocks grant vault-wide permissions; use role assignments instead');
    return verdict(problems);
  },
};
