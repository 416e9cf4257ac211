import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { ofType, verdict } from '../util';

/** Microsoft Defender for APIs (Standard tier of resource type "Api") covers the subscription that hosts API Management. */
export const DefenderForApis: TfRule = {
  id: 'SecureApiAz-DefenderForApis',
  requirement: 'A security_center_subscription_pricing with resource_type "Api" and tier "Standard" covers API Management',
  controls: CONTROL_SETS.threatDetection,
  resourceTypes: ['azurerm_api_management'],
  check: (_r, ctx) => {
    const on = ofType(ctx.resources, 'azurerm_security_center_subscription_pricing').some((p) => p.attributes.resource_type === 'Api' && p.attributes.tier === 'Standard');
    return verdict(on ? [] : ['Defender for APIs is not enabled; add azurerm_security_center_subscription_pricing { resource_type = "Api", tier = "Standard" }']);
  },
};
