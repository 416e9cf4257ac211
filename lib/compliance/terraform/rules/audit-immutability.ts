import { CONTROLS } from '../controls';
import { TfRule } from '../types';
import { numberOf, ofType, references, verdict } from '../util';

/** The audit archive is WORM: a locked time-based immutability policy for the profiles' retention on each container. */
export const AuditImmutability: TfRule = {
  id: 'SecureApiAz-AuditImmutability',
  description: 'Storage containers have a locked time-based immutability policy of at least the audit retention (7 years by default)',
  controls: CONTROLS.auditIntegrity,
  resourceTypes: ['azurerm_storage_container'],
  evaluate: (container, ctx) => {
    const policies = ofType(ctx.resources, 'azurerm_storage_container_immutability_policy').filter((p) => references(p.attributes.storage_container_resource_manager_id, container));
    if (policies.length === 0) return verdict(['no azurerm_storage_container_immutability_policy on this container']);
    const p = policies[0].attributes;
    const problems: string[] = [];
    const days = numberOf(p, 'immutability_period_in_days');
    if (days === undefined || days < ctx.minAuditRetentionDays) problems.push(`immutability_period_in_days must be at least ${ctx.minAuditRetentionDays} (received: ${JSON.stringify(p.immutability_period_in_days)})`);
    if (p.locked !== true) problems.push(`the immutability policy must be locked (received: locked ${JSON.stringify(p.locked)}); an unlocked policy can be shortened or deleted`);
    return verdict(problems);
  },
};
