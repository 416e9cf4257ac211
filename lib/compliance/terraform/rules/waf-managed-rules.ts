import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, isUnresolved, verdict } from '../util';

/** Front Door WAF policies run the Microsoft default rule set (OWASP) and the bot manager rule set, blocking. */
export const WafManagedRules: TfRule = {
  id: 'SecureApiAz-WafManagedRules',
  requirement: 'Front Door WAF policies run Microsoft_DefaultRuleSet (or DefaultRuleSet) and Microsoft_BotManagerRuleSet with action Block',
  controls: CONTROL_SETS.webApplicationFirewall,
  resourceTypes: ['azurerm_cdn_frontdoor_firewall_policy'],
  check: (r) => {
    const rules = blocks(r.attributes, 'managed_rule');
    const problems: string[] = [];
    const find = (types: string[]) => rules.find((m) => typeof m.type === 'string' && types.includes(m.type));
    for (const [label, types] of [['default rule set', ['Microsoft_DefaultRuleSet', 'DefaultRuleSet']], ['bot manager rule set', ['Microsoft_BotManagerRuleSet', 'BotProtection']]] as const) {
      const m = find([...types]);
      if (!m) problems.push(`no ${label} (${types.join(' or ')}) in managed_rule; add it with action "Block"`);
      else if (isUnresolved(m.action) || m.action !== 'Block') problems.push(`${label} action must be "Block" (received: ${JSON.stringify(m.action)})`);
    }
    return verdict(problems);
  },
};
