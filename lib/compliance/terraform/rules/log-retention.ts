import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { numberOf, verdict } from '../util';

/** Log Analytics workspaces keep logs at least as long as the profiles demand (365 days for PCI DSS and HIPAA). */
export const LogRetention: TfRule = {
  id: 'SecureApiAz-LogRetention',
  requirement: 'Log Analytics workspaces retain data for at least the profiles\' minimum (365 days by default)',
  controls: CONTROL_SETS.auditRetention,
  resourceTypes: ['azurerm_log_analytics_workspace'],
  check: (r, ctx) => {
    const days = numberOf(r.attributes, 'retention_in_days');
    return verdict(days !== undefined && days >= ctx.minLogRetentionDays ? [] : [`retention_in_days must be at least ${ctx.minLogRetentionDays} (received: ${JSON.stringify(r.attributes.retention_in_days)})`]);
  },
};
