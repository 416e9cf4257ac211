import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Testing, TerraformStack } from 'cdktf';
import { exampleStack } from './fixture';
import { acknowledgeTf } from '../../constructs/azure';
import { checkTerraform, TERRAFORM_RULES, TfConfig, tfAcknowledgmentProblem } from '../../lib/compliance/terraform';

type Attrs = Record<string, unknown>;
let clean: TfConfig;
beforeAll(() => {
  clean = exampleStack().config as TfConfig;
});

/** A deep copy of the compliant example with `mutate` applied to the first resource of `type`. */
function mutated(type: string, mutate: (a: Attrs, all: Record<string, Record<string, Attrs>>) => void): TfConfig {
  const copy = JSON.parse(JSON.stringify(clean)) as { resource: Record<string, Record<string, Attrs>> };
  mutate(Object.values(copy.resource[type])[0], copy.resource);
  return copy as unknown as TfConfig;
}
const findingIds = (config: TfConfig) => [...new Set(checkTerraform(config, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'] }).findings.map((f) => f.ruleId))];
const blockOf = (a: Attrs, key: string): Attrs => (Array.isArray(a[key]) ? (a[key] as Attrs[])[0] : a[key] as Attrs);
const replaceXml = (from: RegExp, to: string) => (a: Attrs) => { a.xml_content = String(a.xml_content).replace(from, to); };

test('the pack lists every rule, each with PCI DSS, HIPAA and NIST controls', () => {
  expect(TERRAFORM_RULES.map((r) => r.id)).toEqual([
    'SecureApiAz-FrontDoorPremium', 'SecureApiAz-WafPrevention', 'SecureApiAz-WafManagedRules', 'SecureApiAz-WafRateLimit',
    'SecureApiAz-FrontDoorWafAttached', 'SecureApiAz-FrontDoorTls', 'SecureApiAz-DdosProtection', 'SecureApiAz-NsgInbound',
    'SecureApiAz-ApimNetwork', 'SecureApiAz-ApimTls', 'SecureApiAz-ApimAuthorization', 'SecureApiAz-ApimFrontDoorOnly',
    'SecureApiAz-ApimRateLimit', 'SecureApiAz-DefenderForApis', 'SecureApiAz-KeyVaultRecovery', 'SecureApiAz-KeyVaultNetwork',
    'SecureApiAz-KeyVaultRbac', 'SecureApiAz-KeyVaultHsmKeys', 'SecureApiAz-StorageSecure', 'SecureApiAz-AuditImmutability',
    'SecureApiAz-LogRetention', 'SecureApiAz-DiagnosticSettings', 'SecureApiAz-DiagnosticArchive', 'SecureApiAz-PolicyInitiatives',
  ]);
  for (const r of TERRAFORM_RULES) expect(r.controls.pci.length + r.controls.nist.length).toBeGreaterThan(0);
});

test('the example has zero unacknowledged findings', () => {
  expect(findingIds(clean)).toEqual([]);
});

const cases: [string, string, (a: Attrs, all: Record<string, Record<string, Attrs>>) => void][] = [
  ['SecureApiAz-FrontDoorPremium', 'azurerm_cdn_frontdoor_profile', (a) => { a.sku_name = 'Standard_AzureFrontDoor'; }],
  ['SecureApiAz-WafPrevention', 'azurerm_cdn_frontdoor_firewall_policy', (a) => { a.mode = 'Detection'; }],
  ['SecureApiAz-WafManagedRules', 'azurerm_cdn_frontdoor_firewall_policy', (a) => { a.managed_rule = [(a.managed_rule as Attrs[])[0]]; }],
  ['SecureApiAz-WafRateLimit', 'azurerm_cdn_frontdoor_firewall_policy', (a) => { a.custom_rule = (a.custom_rule as Attrs[]).filter((c) => c.type !== 'RateLimitRule'); }],
  ['SecureApiAz-FrontDoorWafAttached', 'azurerm_cdn_frontdoor_security_policy', (_a, all) => { delete all.azurerm_cdn_frontdoor_security_policy; }],
  ['SecureApiAz-FrontDoorTls', 'azurerm_cdn_frontdoor_route', (a) => { a.supported_protocols = ['Http', 'Https']; }],
  ['SecureApiAz-FrontDoorTls', 'azurerm_cdn_frontdoor_origin', (a) => { a.certificate_name_check_enabled = false; }],
  ['SecureApiAz-DdosProtection', 'azurerm_virtual_network', (a) => { delete a.ddos_protection_plan; }],
  ['SecureApiAz-NsgInbound', 'azurerm_network_security_group', (a) => { (a.security_rule as Attrs[])[0].source_address_prefix = 'Internet'; }],
  ['SecureApiAz-ApimNetwork', 'azurerm_api_management', (a) => { a.virtual_network_type = 'None'; }],
  ['SecureApiAz-ApimTls', 'azurerm_api_management', (a) => { (a.security as Attrs).frontend_tls10_enabled = true; }],
  ['SecureApiAz-ApimAuthorization', 'azurerm_api_management_api_policy', replaceXml(/<validate-jwt[\s\S]*?<\/validate-jwt>/, '')],
  ['SecureApiAz-ApimFrontDoorOnly', 'azurerm_api_management_api_policy', replaceXml(/<check-header[\s\S]*?<\/check-header>/, '')],
  ['SecureApiAz-ApimRateLimit', 'azurerm_api_management_api_policy', replaceXml(/<quota-by-key[^>]*\/>/, '')],
  ['SecureApiAz-DefenderForApis', 'azurerm_security_center_subscription_pricing', (a) => { a.tier = 'Free'; }],
  ['SecureApiAz-KeyVaultRecovery', 'azurerm_key_vault', (a) => { a.purge_protection_enabled = false; }],
  ['SecureApiAz-KeyVaultRecovery', 'azurerm_key_vault_managed_hardware_security_module', (a) => { a.soft_delete_retention_days = 7; }],
  ['SecureApiAz-KeyVaultNetwork', 'azurerm_key_vault', (a) => { a.public_network_access_enabled = true; }],
  ['SecureApiAz-KeyVaultNetwork', 'azurerm_private_endpoint', (_a, all) => { delete all.azurerm_private_endpoint; }],
  ['SecureApiAz-KeyVaultRbac', 'azurerm_key_vault', (a) => { a.rbac_authorization_enabled = false; }],
  ['SecureApiAz-KeyVaultHsmKeys', 'azurerm_key_vault_key', (a) => { a.key_type = 'RSA'; }],
  ['SecureApiAz-StorageSecure', 'azurerm_storage_account', (a) => { a.min_tls_version = 'TLS1_0'; }],
  ['SecureApiAz-StorageSecure', 'azurerm_storage_account', (a) => { a.allow_nested_items_to_be_public = true; }],
  ['SecureApiAz-AuditImmutability', 'azurerm_storage_container_immutability_policy', (a) => { a.locked = false; }],
  ['SecureApiAz-AuditImmutability', 'azurerm_storage_container_immutability_policy', (a) => { a.immutability_period_in_days = 30; }],
  ['SecureApiAz-LogRetention', 'azurerm_log_analytics_workspace', (a) => { a.retention_in_days = 30; }],
  ['SecureApiAz-DiagnosticSettings', 'azurerm_monitor_diagnostic_setting', (_a, all) => {
    for (const [k, d] of Object.entries(all.azurerm_monitor_diagnostic_setting)) if (String(d.target_resource_id).includes('azurerm_api_management.')) delete all.azurerm_monitor_diagnostic_setting[k];
  }],
  ['SecureApiAz-DiagnosticArchive', 'azurerm_monitor_diagnostic_setting', (_a, all) => {
    for (const d of Object.values(all.azurerm_monitor_diagnostic_setting)) if (String(d.target_resource_id).includes('azurerm_key_vault.')) delete d.storage_account_id;
  }],
  ['SecureApiAz-DiagnosticArchive', 'azurerm_monitor_diagnostic_setting', (a) => { a.storage_account_id = '/subscriptions/0/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/elsewhere'; }],
  ['SecureApiAz-DiagnosticArchive', 'azurerm_monitor_diagnostic_setting', (a) => { a.storage_account_id = '${azurerm_log_analytics_workspace.other.id}'; }],
  ['SecureApiAz-AuditImmutability', 'azurerm_storage_account', (a) => { blockOf(a, 'immutability_policy').state = 'Unlocked'; }],
  ['SecureApiAz-AuditImmutability', 'azurerm_storage_account', (a) => { blockOf(a, 'immutability_policy').period_since_creation_in_days = 30; }],
  ['SecureApiAz-AuditImmutability', 'azurerm_storage_account', (a) => { blockOf(a, 'immutability_policy').allow_protected_append_writes = false; }],
  ['SecureApiAz-PolicyInitiatives', 'azurerm_resource_group_policy_assignment', (a) => { a.policy_definition_id = '/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000'; }],
];

test.each(cases)('%s trips on an insecure %s', (ruleId, type, mutate) => {
  expect(findingIds(mutated(type, mutate))).toEqual([ruleId]);
});

test('an archive account without account-level immutability trips both archive rules; the finding names the fix', () => {
  const config = mutated('azurerm_storage_account', (a) => { delete a.immutability_policy; });
  const report = checkTerraform(config, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'] });
  expect([...new Set(report.findings.map((f) => f.ruleId))].sort()).toEqual(['SecureApiAz-AuditImmutability', 'SecureApiAz-DiagnosticArchive']);
  expect(report.findings.find((f) => f.ruleId === 'SecureApiAz-DiagnosticArchive')!.detail).toMatch(/no account-level immutability_policy, so the insights-logs-\* containers .* are not WORM/);
  // Every diagnostic setting of the example archives, all compliant before the mutation.
  const settings = Object.keys((clean.resource as Record<string, object>).azurerm_monitor_diagnostic_setting).length;
  expect(settings).toBeGreaterThanOrEqual(10);
  expect(checkTerraform(clean).results.filter((r) => r.ruleId === 'SecureApiAz-DiagnosticArchive').map((r) => r.status)).toEqual(Array(settings).fill('COMPLIANT'));
});

test('a diagnostic setting without storage_account_id is a finding that says how to fix it', () => {
  const config = mutated('azurerm_monitor_diagnostic_setting', (a) => { delete a.storage_account_id; });
  expect(checkTerraform(config).findings).toEqual([expect.objectContaining({
    ruleId: 'SecureApiAz-DiagnosticArchive',
    resource: expect.stringMatching(/^azurerm_monitor_diagnostic_setting\./),
    detail: expect.stringMatching(/storage_account_id is unset.*AzureAudit\.archiveAccount/),
    controls: expect.objectContaining({ pci: expect.arrayContaining(['10.5.1']) }),
  })]);
});

test('fails closed on an unresolved reference where a literal is required', () => {
  const config = mutated('azurerm_cdn_frontdoor_firewall_policy', (a) => { a.mode = '${var.waf_mode}'; });
  const report = checkTerraform(config);
  expect(report.findings.map((f) => f.ruleId)).toEqual(['SecureApiAz-WafPrevention']);
  expect(report.findings[0].detail).toMatch(/unresolved reference/);
});

describe('acknowledgments', () => {
  test('an acknowledgment with an assessor-grade reason turns the finding into ACKNOWLEDGED', () => {
    const config = mutated('azurerm_log_analytics_workspace', (a) => { a.retention_in_days = 30; });
    const address = checkTerraform(config).findings[0].resource;
    const report = checkTerraform(config, { acknowledgments: [{ ruleId: 'SecureApiAz-LogRetention', resource: address, reason: 'Logs are exported daily to the immutable archive which keeps them seven years' }] });
    expect(report.findings).toEqual([]);
    expect(report.results.find((r) => r.ruleId === 'SecureApiAz-LogRetention')).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgment: { reason: expect.stringContaining('immutable archive') } });
  });

  test('a trivial reason, or one for another resource, acknowledges nothing', () => {
    const config = mutated('azurerm_log_analytics_workspace', (a) => { a.retention_in_days = 30; });
    const address = checkTerraform(config).findings[0].resource;
    expect(checkTerraform(config, { acknowledgments: [{ ruleId: 'SecureApiAz-LogRetention', resource: address, reason: 'ok' }] }).findings).toHaveLength(1);
    expect(checkTerraform(config, { acknowledgments: [{ ruleId: 'SecureApiAz-LogRetention', resource: 'azurerm_log_analytics_workspace.other', reason: 'Logs are exported daily to the immutable archive for seven years' }] }).findings).toHaveLength(1);
  });

  test('acknowledgeTf refuses a stack scope, an unknown rule id and a short reason, and records a valid one in cdk.tf.json', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const rg = new ResourceGroup(stack, 'rg', { name: 'rg', location: 'westeurope' });
    expect(() => acknowledgeTf(stack, 'SecureApiAz-PolicyInitiatives', 'A reason long enough to pass the length and word checks')).toThrow(/scope must be the resource .*received: the TerraformStack "s"/);
    expect(() => acknowledgeTf(rg, 'AwsSolutions-IAM5', 'A reason long enough to pass the length and word checks')).toThrow(/ruleId must name one rule of the Terraform pack.*received: "AwsSolutions-IAM5"/);
    expect(() => acknowledgeTf(rg, 'SecureApiAz-PolicyInitiatives', 'n/a')).toThrow(/reason must say why .*received: "n\/a"/);
    expect(tfAcknowledgmentProblem('SecureApiAz-X', 'too short reason here')).toMatch(/at least 30 characters and 5 words/);
    acknowledgeTf(rg, 'SecureApiAz-PolicyInitiatives', 'Initiatives are assigned at the management group by the landing zone team');
    const json = stack.toTerraform() as TfConfig;
    const report = checkTerraform(json, { profiles: ['PCI_DSS'] });
    expect(report.results).toEqual([expect.objectContaining({ ruleId: 'SecureApiAz-PolicyInitiatives', resource: 'azurerm_resource_group.rg', status: 'ACKNOWLEDGED' })]);
  });
});
