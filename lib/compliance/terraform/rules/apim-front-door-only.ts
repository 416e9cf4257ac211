import { CONTROLS } from '../controls';
import { apiPolicyXml, globalPolicyXml, inbound } from '../policy-xml';
import { TfRule } from '../types';
import { compliant, nonCompliant } from '../util';

/** Every API refuses requests that did not come through this Front Door profile (check-header on X-Azure-FDID). */
export const ApimFrontDoorOnly: TfRule = {
  id: 'SecureApiAz-ApimFrontDoorOnly',
  description: 'APIs check the X-Azure-FDID header inbound, so the gateway cannot be reached around Front Door and its WAF',
  controls: CONTROLS.boundaryProtection,
  resourceTypes: ['azurerm_api_management_api'],
  evaluate: (r, ctx) => {
    const xml = [...apiPolicyXml(r, ctx), ...globalPolicyXml(ctx)];
    return xml.some((x) => /<check-header\s[^>]*name="X-Azure-FDID"/i.test(inbound(x)))
      ? compliant()
      : nonCompliant('no inbound <check-header name="X-Azure-FDID"> with the Front Door profile id; add it to the API or global policy');
  },
};
