import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { blocks, ofType, verdict } from '../util';

/** A subscription id target: `data.azurerm_subscription.<name>.id` or a literal `/subscriptions/<guid>`. */
const SUBSCRIPTION = /^(\$\{data\.azurerm_subscription\.[^.}]+\.id\}|\/subscriptions\/[0-9a-f-]{36})$/i;

/**
 * The control plane is audited: a diagnostic setting on the subscription exports its Activity Log (who changed what)
 * to the immutable archive (`storage_account_id`). Evaluated once per Log Analytics workspace of the platform.
 */
export const ActivityLogExport: TfRule = {
  id: 'SecureApiAz-ActivityLogExport',
  requirement: 'The subscription Activity Log is exported to the audit archive by a diagnostic setting (Administrative and Security categories at least)',
  controls: CONTROL_SETS.auditLogging,
  resourceTypes: ['azurerm_log_analytics_workspace'],
  check: (_r, ctx) => {
    const exports = ofType(ctx.resources, 'azurerm_monitor_diagnostic_setting').filter((d) => SUBSCRIPTION.test(String(d.attributes.target_resource_id)));
    const ok = exports.some((d) => {
      const categories = blocks(d.attributes, 'enabled_log').map((l) => l.category ?? l.category_group);
      const all = categories.includes('allLogs');
      return typeof d.attributes.storage_account_id === 'string' && (all || (categories.includes('Administrative') && categories.includes('Security')));
    });
    return verdict(ok ? [] : ['no azurerm_monitor_diagnostic_setting on the subscription sends the Activity Log (Administrative, Security) to the archive storage account; control-plane changes would leave no immutable record']);
  },
};
