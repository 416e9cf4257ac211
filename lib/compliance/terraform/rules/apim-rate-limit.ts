import { CONTROLS } from '../controls';
import { apiPolicyXml, globalPolicyXml, inbound } from '../policy-xml';
import { TfRule } from '../types';
import { compliant, nonCompliant } from '../util';

/** Every API limits calls per tenant (rate-limit-by-key) and caps them per period (quota-by-key). */
export const ApimRateLimit: TfRule = {
  id: 'SecureApiAz-ApimRateLimit',
  description: 'APIs apply rate-limit-by-key and quota-by-key inbound (per tenant), so one tenant cannot exhaust the platform',
  controls: CONTROLS.denialOfService,
  resourceTypes: ['azurerm_api_management_api'],
  evaluate: (r, ctx) => {
    const sections = [...apiPolicyXml(r, ctx), ...globalPolicyXml(ctx)].map(inbound);
    const missing = ['rate-limit-by-key', 'quota-by-key'].filter((p) => !sections.some((s) => new RegExp(`<${p}\\b`).test(s)));
    return missing.length === 0 ? compliant() : nonCompliant(`no inbound <${missing.join('> or <')}> in the API or global policy`);
  },
};
