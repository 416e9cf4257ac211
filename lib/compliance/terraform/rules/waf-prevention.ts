import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { expectLiteral, verdict } from '../util';

/** Front Door WAF policies are enabled, block (Prevention mode) and inspect request bodies. */
export const WafPrevention: TfRule = {
  id: 'SecureApiAz-WafPrevention',
  requirement: 'Front Door WAF policies are enabled in Prevention mode with request body inspection',
  controls: CONTROL_SETS.webApplicationFirewall,
  resourceTypes: ['azurerm_cdn_frontdoor_firewall_policy'],
  check: (r) => {
    const a = r.attributes;
    const problems = expectLiteral(a, 'mode', 'Prevention', 'Detection mode only logs attacks');
    if (a.enabled !== undefined) problems.push(...expectLiteral(a, 'enabled', true));
    if (a.request_body_check_enabled !== undefined) problems.push(...expectLiteral(a, 'request_body_check_enabled', true));
    problems.push(...expectLiteral(a, 'sku_name', 'Premium_AzureFrontDoor', 'managed rule sets need the Premium WAF'));
    return verdict(problems);
  },
};
