import { CONTROL_SETS } from '../../controls';
import { TfAttributes, TfRule } from '../types';
import { blocks, verdict } from '../util';

const ANYWHERE = new Set(['*', 'internet', '0.0.0.0/0', '::/0', 'any']);

function openToInternet(rule: TfAttributes): boolean {
  if (String(rule.direction).toLowerCase() !== 'inbound' || String(rule.access).toLowerCase() !== 'allow') return false;
  const sources = [rule.source_address_prefix, ...(Array.isArray(rule.source_address_prefixes) ? rule.source_address_prefixes : [])];
  return sources.some((s) => typeof s === 'string' && ANYWHERE.has(s.toLowerCase()));
}

/** No network security group rule allows inbound traffic from the whole internet (use service tags such as AzureFrontDoor.Backend). */
export const NsgInbound: TfRule = {
  id: 'SecureApiAz-NsgInbound',
  requirement: 'Network security groups allow no inbound traffic from * / Internet / 0.0.0.0/0; sources are service tags or CIDRs',
  controls: CONTROL_SETS.boundaryProtection,
  resourceTypes: ['azurerm_network_security_group', 'azurerm_network_security_rule'],
  check: (r) => {
    const rules = r.type === 'azurerm_network_security_rule' ? [r.attributes] : blocks(r.attributes, 'security_rule');
    const open = rules.filter(openToInternet).map((x) => JSON.stringify(x.name));
    return verdict(open.length === 0 ? [] : [`inbound rule(s) ${open.join(', ')} allow traffic from anywhere; restrict the source to a service tag (e.g. AzureFrontDoor.Backend)`]);
  },
};
