import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, block, isUnresolved, verdict } from '../util';

/** API Management is injected in a virtual network (External or Internal) in every location. */
export const ApimNetwork: TfRule = {
  id: 'SecureApiAz-ApimNetwork',
  requirement: 'API Management is VNet-injected (virtual_network_type External or Internal) in its primary and every additional location',
  controls: CONTROL_SETS.boundaryProtection,
  resourceTypes: ['azurerm_api_management'],
  check: (r) => {
    const a = r.attributes;
    const problems: string[] = [];
    const type = a.virtual_network_type;
    if (isUnresolved(type) || (type !== 'External' && type !== 'Internal')) problems.push(`virtual_network_type must be "External" or "Internal" (received: ${JSON.stringify(type)})`);
    if (!block(a, 'virtual_network_configuration')?.subnet_id) problems.push('virtual_network_configuration.subnet_id is missing');
    for (const loc of blocks(a, 'additional_location')) {
      if (!block(loc, 'virtual_network_configuration')?.subnet_id) problems.push(`additional_location ${JSON.stringify(loc.location)} has no virtual_network_configuration.subnet_id`);
    }
    return verdict(problems);
  },
};
