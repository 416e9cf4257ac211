import { CONTROLS } from '../controls';
import { TfRule } from '../types';
import { expectLiteral, verdict } from '../util';

/** Front Door profiles use the Premium tier (managed WAF rule sets, bot manager and Private Link need it). */
export const FrontDoorPremium: TfRule = {
  id: 'SecureApiAz-FrontDoorPremium',
  description: 'Front Door profiles use Premium_AzureFrontDoor: managed WAF rule sets and bot protection are Premium-only',
  controls: CONTROLS.webApplicationFirewall,
  resourceTypes: ['azurerm_cdn_frontdoor_profile'],
  evaluate: (r) => verdict(expectLiteral(r.attributes, 'sku_name', 'Premium_AzureFrontDoor')),
};
