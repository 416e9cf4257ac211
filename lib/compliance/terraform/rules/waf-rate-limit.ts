import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, verdict } from '../util';

/** Front Door WAF policies carry at least one blocking rate-limit custom rule (per client IP or per key header). */
export const WafRateLimit: TfRule = {
  id: 'SecureApiAz-WafRateLimit',
  requirement: 'Front Door WAF policies have a blocking RateLimitRule custom rule with a literal threshold',
  controls: CONTROL_SETS.denialOfService,
  resourceTypes: ['azurerm_cdn_frontdoor_firewall_policy'],
  check: (r) => {
    const limits = blocks(r.attributes, 'custom_rule').filter((c) => c.type === 'RateLimitRule');
    if (limits.length === 0) return verdict(['no custom_rule of type "RateLimitRule"; add one per client IP (SocketAddr) with action "Block"']);
    const ok = limits.some((c) => c.action === 'Block' && c.enabled !== false && typeof c.rate_limit_threshold === 'number' && c.rate_limit_threshold > 0);
    return verdict(ok ? [] : ['no enabled RateLimitRule with action "Block" and a literal rate_limit_threshold']);
  },
};
