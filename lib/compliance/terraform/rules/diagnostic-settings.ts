import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, ofType, references, verdict } from '../util';

/** Front Door (with its WAF logs), API Management, Key Vaults and Managed HSMs send their logs to Log Analytics. */
export const DiagnosticSettings: TfRule = {
  id: 'SecureApiAz-DiagnosticSettings',
  requirement: 'Front Door, API Management, Key Vault and Managed HSM have a diagnostic setting sending all logs to a Log Analytics workspace',
  controls: CONTROL_SETS.auditLogging,
  resourceTypes: ['azurerm_cdn_frontdoor_profile', 'azurerm_api_management', 'azurerm_key_vault', 'azurerm_key_vault_managed_hardware_security_module'],
  check: (r, ctx) => {
    const settings = ofType(ctx.resources, 'azurerm_monitor_diagnostic_setting').filter((d) => references(d.attributes.target_resource_id, r));
    const ok = settings.some((d) => typeof d.attributes.log_analytics_workspace_id === 'string' && blocks(d.attributes, 'enabled_log').length > 0);
    return verdict(ok ? [] : ['no azurerm_monitor_diagnostic_setting with enabled_log and a log_analytics_workspace_id targets this resource']);
  },
};
