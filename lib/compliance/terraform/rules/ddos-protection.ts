import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, verdict } from '../util';

/** Virtual networks are covered by a DDoS Network Protection plan. */
export const DdosProtection: TfRule = {
  id: 'SecureApiAz-DdosProtection',
  requirement: 'Virtual networks have a ddos_protection_plan block with enable true',
  controls: CONTROL_SETS.denialOfService,
  resourceTypes: ['azurerm_virtual_network'],
  check: (r) => {
    const plan = block(r.attributes, 'ddos_protection_plan');
    return verdict(plan && plan.enable === true && typeof plan.id === 'string' ? [] : ['no ddos_protection_plan { enable = true, id = <plan> }; public endpoints in this network are unprotected']);
  },
};
