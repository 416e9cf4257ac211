import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, isUnresolved, ofType, references, verdict } from '../util';

/**
 * Every diagnostic setting also writes to an immutable storage archive (`storage_account_id`), so the audit trail
 * outlives the workspace's retention and cannot be altered: the archive must be a storage account of this
 * configuration with an account-level immutability policy (whose lock and period SecureApiAz-AuditImmutability checks).
 * An archive outside the configuration cannot be verified: fail closed, acknowledge it with the archive's evidence.
 */
export const DiagnosticArchive: TfRule = {
  id: 'SecureApiAz-DiagnosticArchive',
  requirement: 'Diagnostic settings send their logs to an immutable storage archive (storage_account_id) as well as to Log Analytics',
  controls: CONTROL_SETS.auditIntegrity,
  resourceTypes: ['azurerm_monitor_diagnostic_setting'],
  check: (r, ctx) => {
    const target = r.attributes.storage_account_id;
    if (typeof target !== 'string' || target === '') {
      return verdict(['storage_account_id is unset: the logs reach no immutable archive; set it to the audit archive storage account (AzureAudit.archiveAccount)']);
    }
    const account = ofType(ctx.resources, 'azurerm_storage_account').find((a) => references(target, a));
    if (!account) {
      return verdict([isUnresolved(target)
        ? `storage_account_id (${target}) is not a storage account of this configuration; point it at the immutable audit archive`
        : `storage_account_id ${JSON.stringify(target)} is outside this configuration, so its immutability cannot be verified; use the platform's archive or acknowledge with the archive's retention evidence`]);
    }
    return verdict(block(account.attributes, 'immutability_policy') === undefined
      ? [`the archive ${account.address} has no account-level immutability_policy, so the insights-logs-* containers Azure Monitor writes are not WORM`]
      : []);
  },
};
