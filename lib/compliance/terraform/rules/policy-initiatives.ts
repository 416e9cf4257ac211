import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { ofType, references, verdict } from '../util';

/** Built-in Azure Policy initiatives (policy set definitions), by profile. Ids verified against Azure's built-ins. */
export const POLICY_INITIATIVES: Readonly<Record<string, { readonly id: string; readonly name: string }>> = {
  PCI_DSS: { id: '/providers/Microsoft.Authorization/policySetDefinitions/c676748e-3af9-4e22-bc28-50feed564afb', name: 'PCI DSS v4' },
  HIPAA: { id: '/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab', name: 'HITRUST/HIPAA' },
  NIST_800_53: { id: '/providers/Microsoft.Authorization/policySetDefinitions/179d1daa-458f-4e47-8086-2a68d0d6c38f', name: 'NIST SP 800-53 Rev. 5' },
};

/** Each resource group has the built-in initiative of every selected profile assigned (continuous compliance evidence). */
export const PolicyInitiatives: TfRule = {
  id: 'SecureApiAz-PolicyInitiatives',
  requirement: 'Resource groups have the built-in Azure Policy initiative of each selected profile (PCI DSS v4, HIPAA HITRUST, NIST 800-53 R5) assigned',
  controls: CONTROL_SETS.continuousCompliance,
  resourceTypes: ['azurerm_resource_group'],
  check: (rg, ctx) => {
    const assigned = new Set(
      ofType(ctx.resources, 'azurerm_resource_group_policy_assignment')
        .filter((a) => references(a.attributes.resource_group_id, rg))
        .map((a) => String(a.attributes.policy_definition_id).toLowerCase()),
    );
    const missing = ctx.profiles.filter((p) => POLICY_INITIATIVES[p] !== undefined && !assigned.has(POLICY_INITIATIVES[p].id.toLowerCase()));
    return verdict(missing.length === 0 ? [] : [`no assignment of ${missing.map((p) => `${POLICY_INITIATIVES[p].name} (${POLICY_INITIATIVES[p].id})`).join(', ')}`]);
  },
};
