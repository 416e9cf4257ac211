import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, ofType, references, verdict } from '../util';

/** Every Front Door profile has a security policy associating a WAF policy with its domains on every path. */
export const FrontDoorWafAttached: TfRule = {
  id: 'SecureApiAz-FrontDoorWafAttached',
  requirement: 'Every Front Door profile has a security policy that attaches a WAF policy to its domains for "/*"',
  controls: CONTROL_SETS.webApplicationFirewall,
  resourceTypes: ['azurerm_cdn_frontdoor_profile'],
  check: (profile, ctx) => {
    const attached = ofType(ctx.resources, 'azurerm_cdn_frontdoor_security_policy').some((sp) => {
      if (!references(sp.attributes.cdn_frontdoor_profile_id, profile)) return false;
      const fw = block(block(sp.attributes, 'security_policies'), 'firewall');
      const assoc = block(fw, 'association');
      const patterns = assoc?.patterns_to_match;
      return typeof fw?.cdn_frontdoor_firewall_policy_id === 'string' && Array.isArray(patterns) && patterns.includes('/*');
    });
    return verdict(attached ? [] : ['no azurerm_cdn_frontdoor_security_policy attaches a firewall policy to this profile for "/*"']);
  },
};
