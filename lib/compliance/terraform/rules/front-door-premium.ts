import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { expectLiteral, verdict } from '../util';

/** Front Door profiles use the Premium tier (managed WAF rule sets, bot manager and Private Link need it). */
export const FrontDoorPremium: TfRule = {
  id: 'SecureApiAz-FrontDoorPremium',
  requirement: 'Front Door profiles use Premium_AzureFrontDoor: managed WAF rule sets and bot protection are Premium-only',
  controls: CONTROL_SETS.webApplicationFirewall,
  resourceTypes: ['azurerm_cdn_frontdoor_profile'],
  check: (r) => verdict(expectLiteral(r.attributes, 'sku_name', 'Premium_AzureFrontDoor')),
};
