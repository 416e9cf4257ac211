import { tfAcknowledgmentProblem, TF_ACKNOWLEDGMENTS_KEY } from './acknowledge';
import { ActivityLogExport } from './rules/activity-log-export';
import { ApimAuthorization } from './rules/apim-authorization';
import { ApimBackend } from './rules/apim-backend';
import { ApimFrontDoorOnly } from './rules/apim-front-door-only';
import { ApimJwtPerIssuer } from './rules/apim-jwt-per-issuer';
import { ApimNetwork } from './rules/apim-network';
import { ApimRateLimit } from './rules/apim-rate-limit';
import { ApimTls } from './rules/apim-tls';
import { AuditImmutability } from './rules/audit-immutability';
import { CustomerManagedKey } from './rules/customer-managed-key';
import { DdosProtection } from './rules/ddos-protection';
import { DefenderForApis } from './rules/defender-for-apis';
import { DiagnosticArchive } from './rules/diagnostic-archive';
import { DiagnosticSettings } from './rules/diagnostic-settings';
import { FrontDoorPremium } from './rules/front-door-premium';
import { FrontDoorTls } from './rules/front-door-tls';
import { FrontDoorWafAttached } from './rules/front-door-waf-attached';
import { KeyVaultHsmKeys } from './rules/key-vault-hsm-keys';
import { KeyVaultNetwork } from './rules/key-vault-network';
import { KeyVaultRbac } from './rules/key-vault-rbac';
import { KeyVaultRecovery } from './rules/key-vault-recovery';
import { LogRetention } from './rules/log-retention';
import { NsgInbound } from './rules/nsg-inbound';
import { PolicyInitiatives } from './rules/policy-initiatives';
import { StorageSecure } from './rules/storage-secure';
import { WafManagedRules } from './rules/waf-managed-rules';
import { WafPrevention } from './rules/waf-prevention';
import { WafRateLimit } from './rules/waf-rate-limit';
import { TfAcknowledgment, TfCheckOptions, TfComplianceReport, TfConfig, TfRule, TfRuleContext, TfRuleResult } from './types';
import { resourcesOf } from './util';

/** Every rule of the Terraform pack, in report order. */
export const TERRAFORM_RULES: readonly TfRule[] = [
  FrontDoorPremium, WafPrevention, WafManagedRules, WafRateLimit, FrontDoorWafAttached, FrontDoorTls,
  DdosProtection, NsgInbound,
  ApimNetwork, ApimTls, ApimAuthorization, ApimFrontDoorOnly, ApimRateLimit, DefenderForApis,
  KeyVaultRecovery, KeyVaultNetwork, KeyVaultRbac, KeyVaultHsmKeys,
  StorageSecure, AuditImmutability, LogRetention, DiagnosticSettings, DiagnosticArchive, PolicyInitiatives,
  ApimBackend, ApimJwtPerIssuer, CustomerManagedKey, ActivityLogExport,
];

/** Acknowledgments recorded in the configuration (`"//": { "acknowledgments": { ruleId: reason } }` on a resource). */
export function acknowledgmentsIn(config: TfConfig): TfAcknowledgment[] {
  return resourcesOf(config).flatMap((r) => {
    const meta = r.attributes['//'] as Record<string, unknown> | undefined;
    const acks = meta?.[TF_ACKNOWLEDGMENTS_KEY];
    if (acks === null || typeof acks !== 'object') return [];
    return Object.entries(acks as Record<string, unknown>).map(([ruleId, reason]) => ({ ruleId, resource: r.address, reason: String(reason) }));
  });
}

/**
 * Runs every rule over a synthesized Terraform JSON configuration and returns the report. Pure: JSON in,
 * results out. A non-compliant result with a valid acknowledgment (same rule, same resource, an acceptable
 * reason) is ACKNOWLEDGED; every other non-compliant result is a finding. An acknowledgment with a refused
 * reason (e.g. edited by hand into the JSON) acknowledges nothing.
 */
export function checkTerraform(
  config: TfConfig,
  options: TfCheckOptions = {},
  stack?: string,
  rules: readonly TfRule[] = TERRAFORM_RULES,
): TfComplianceReport {
  const resources = resourcesOf(config);
  const profiles = [...(options.profiles ?? ['PCI_DSS', 'HIPAA', 'NIST_800_53'])];
  const ctx: TfRuleContext = {
    config,
    resources,
    profiles,
    minLogRetentionDays: options.minLogRetentionDays ?? 365,
    minAuditRetentionDays: options.minAuditRetentionDays ?? 2555,
  };
  const acks = [...acknowledgmentsIn(config), ...(options.acknowledgments ?? [])]
    .filter((a) => tfAcknowledgmentProblem(a.ruleId, a.reason) === undefined);
  const ackFor = (ruleId: string, address: string): TfAcknowledgment | undefined =>
    acks.find((a) => a.resource === address && (a.ruleId === ruleId || a.ruleId.startsWith(`${ruleId}[`)));
  const results: TfRuleResult[] = [];
  for (const rule of rules) {
    for (const r of resources) {
      if (!rule.resourceTypes.includes(r.type)) continue;
      let v;
      try {
        v = rule.check(r, ctx);
      } catch (e) {
        // Fail closed: a rule that cannot evaluate a resource reports it.
        v = { status: 'NON_COMPLIANT' as const, detail: `rule error: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (v.status === 'NOT_APPLICABLE') continue;
      const base = { ruleId: rule.id, resource: r.address, constructPath: r.constructPath, description: rule.requirement, controls: rule.controls };
      if (v.status === 'COMPLIANT') {
        results.push({ ...base, status: 'COMPLIANT' });
        continue;
      }
      const ack = ackFor(rule.id, r.address);
      results.push(ack ? { ...base, status: 'ACKNOWLEDGED', detail: v.detail, acknowledgment: { reason: ack.reason.trim() } } : { ...base, status: 'NON_COMPLIANT', detail: v.detail });
    }
  }
  return {
    tool: 'secure-api-platform/terraform-compliance',
    version: 1,
    stack,
    profiles,
    rules: rules.map((r) => ({ id: r.id, description: r.requirement, controls: r.controls })),
    results,
    findings: results.filter((r) => r.status === 'NON_COMPLIANT'),
  };
}

/** One line per finding: `rule at resource: detail`. */
export function formatFindings(report: TfComplianceReport): string[] {
  return report.findings.map((f) => `${f.ruleId} at ${f.resource}${f.constructPath ? ` (${f.constructPath})` : ''}: ${f.detail ?? f.description}`);
}
