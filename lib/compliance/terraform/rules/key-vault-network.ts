import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, expectLiteral, ofType, references, verdict } from '../util';

/** Key Vaults and Managed HSMs are private: public network access off, ACL default Deny, a private endpoint (vaults). */
export const KeyVaultNetwork: TfRule = {
  id: 'SecureApiAz-KeyVaultNetwork',
  requirement: 'Key Vaults and Managed HSMs disable public network access, deny by default in network_acls, and vaults have a private endpoint',
  controls: CONTROL_SETS.boundaryProtection,
  resourceTypes: ['azurerm_key_vault', 'azurerm_key_vault_managed_hardware_security_module'],
  check: (r, ctx) => {
    const problems = expectLiteral(r.attributes, 'public_network_access_enabled', false);
    problems.push(...expectLiteral(block(r.attributes, 'network_acls'), 'default_action', 'Deny').map((p) => `network_acls.${p}`));
    if (r.type === 'azurerm_key_vault') {
      const pe = ofType(ctx.resources, 'azurerm_private_endpoint').some((p) => references(block(p.attributes, 'private_service_connection')?.private_connection_resource_id, r));
      if (!pe) problems.push('no azurerm_private_endpoint connects to this vault; add one with subresource "vault"');
    }
    return verdict(problems);
  },
};
