import { CONTROL_SETS } from '../../controls';
import { TfResource, TfRuleContext, TfRuleVerdict, TfRule } from '../types';
import { block, notApplicable, numberOf, ofType, references, verdict } from '../util';

/**
 * The audit archive is WORM: a locked time-based immutability policy for the profiles' retention on each container of
 * an archive account (and on any container named `audit`), and on each storage account that diagnostic settings archive to, a locked account-level policy (the containers
 * Azure Monitor creates, `insights-logs-*`, are not declared in the configuration, so only the account's policy covers them).
 */
export const AuditImmutability: TfRule = {
  id: 'SecureApiAz-AuditImmutability',
  requirement: 'Containers of the audit archive, and storage accounts that diagnostic settings archive to, have a locked time-based immutability policy of at least the audit retention (7 years by default)',
  controls: CONTROL_SETS.auditIntegrity,
  resourceTypes: ['azurerm_storage_container', 'azurerm_storage_account'],
  check: (r, ctx) => (r.type === 'azurerm_storage_account' ? archiveAccount(r, ctx) : container(r, ctx)),
};

/** Whether diagnostic settings of the configuration archive to this storage account. */
function isArchive(a: TfResource, ctx: TfRuleContext): boolean {
  return ofType(ctx.resources, 'azurerm_monitor_diagnostic_setting').some((d) => references(d.attributes.storage_account_id, a));
}

function container(c: TfResource, ctx: TfRuleContext): TfRuleVerdict {
  // A container of an account of this configuration that holds no audit data (e.g. a function app's deployment
  // packages, rewritten at every deployment) is not the archive; a container of an unknown account is checked.
  const account = ofType(ctx.resources, 'azurerm_storage_account').find((a) => references(c.attributes.storage_account_id, a));
  if (account && !isArchive(account, ctx) && c.attributes.name !== 'audit') return notApplicable();
  const policies = ofType(ctx.resources, 'azurerm_storage_container_immutability_policy').filter((p) => references(p.attributes.storage_container_resource_manager_id, c));
  if (policies.length === 0) return verdict(['no azurerm_storage_container_immutability_policy on this container']);
  const p = policies[0].attributes;
  const problems: string[] = [];
  const days = numberOf(p, 'immutability_period_in_days');
  if (days === undefined || days < ctx.minAuditRetentionDays) problems.push(`immutability_period_in_days must be at least ${ctx.minAuditRetentionDays} (received: ${JSON.stringify(p.immutability_period_in_days)})`);
  if (p.locked !== true) problems.push(`the immutability policy must be locked (received: locked ${JSON.stringify(p.locked)}); an unlocked policy can be shortened or deleted`);
  return verdict(problems);
}

function archiveAccount(a: TfResource, ctx: TfRuleContext): TfRuleVerdict {
  if (!isArchive(a, ctx)) return notApplicable();
  const p = block(a.attributes, 'immutability_policy');
  if (p === undefined) return verdict(['no account-level immutability_policy on this diagnostic archive; add one (state "Locked", allow_protected_append_writes true)']);
  const problems: string[] = [];
  const days = numberOf(p, 'period_since_creation_in_days');
  if (days === undefined || days < ctx.minAuditRetentionDays) problems.push(`immutability_policy.period_since_creation_in_days must be at least ${ctx.minAuditRetentionDays} (received: ${JSON.stringify(p.period_since_creation_in_days)})`);
  if (p.state !== 'Locked') problems.push(`immutability_policy.state must be "Locked" (received: ${JSON.stringify(p.state)}); an unlocked policy can be shortened or deleted`);
  if (p.allow_protected_append_writes !== true) problems.push('immutability_policy.allow_protected_append_writes must be true, or Azure Monitor cannot append to its log blobs');
  return verdict(problems);
}
