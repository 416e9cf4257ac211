import { CONTROLS } from '../controls';
import { apiPolicyXml, globalPolicyXml, inbound } from '../policy-xml';
import { TfRule } from '../types';
import { compliant, nonCompliant } from '../util';

const VALIDATES_TOKEN = /<(validate-jwt|validate-azure-ad-token)\b/;

/**
 * Every API validates a token in its inbound policy, and no operation policy drops it (an operation whose inbound
 * section neither inherits `<base />` nor validates a token is unauthenticated: acknowledge it with the public reason).
 */
export const ApimAuthorization: TfRule = {
  id: 'SecureApiAz-ApimAuthorization',
  description: 'APIs validate a JWT (validate-jwt) inbound; operation policies keep <base /> or validate a token themselves',
  controls: CONTROLS.authentication,
  resourceTypes: ['azurerm_api_management_api', 'azurerm_api_management_api_operation_policy'],
  evaluate: (r, ctx) => {
    if (r.type === 'azurerm_api_management_api') {
      const xml = [...apiPolicyXml(r, ctx), ...globalPolicyXml(ctx)];
      return xml.some((x) => VALIDATES_TOKEN.test(inbound(x)))
        ? compliant()
        : nonCompliant('no API or global policy validates a token inbound; add <validate-jwt> with issuers, audiences and required claims');
    }
    const xml = typeof r.attributes.xml_content === 'string' ? r.attributes.xml_content : '';
    const section = inbound(xml);
    if (/<base\s*\/>/.test(section) || VALIDATES_TOKEN.test(section)) return compliant();
    return nonCompliant('the operation policy replaces the API policy without <base /> and validates no token: the operation is public');
  },
};
