import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApiOperationPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-operation-policy';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { CdnFrontdoorCustomDomain } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-custom-domain';
import { CdnFrontdoorFirewallPolicy } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-firewall-policy';
import { CdnFrontdoorOriginGroup } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin-group';
import { CdnFrontdoorProfile } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-profile';
import { CdnFrontdoorRoute } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-route';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/resource-group-policy-assignment';
import { SecurityCenterSubscriptionPricing } from '@cdktf/provider-azurerm/lib/security-center-subscription-pricing';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
// Types of the cdktf jest matchers (toHaveResourceWithProperties).
import 'cdktf/lib/testing/adapters/jest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { exampleStack } from './fixture';
import { AzureSecureApiPlatform, AzureSecureApiPlatformProps, COMPLIANCE_RESULTS_FILE, xmlEscape } from '../../constructs/azure';
import { exampleSpec } from '../../examples/spec';
import { PlatformSpec } from '../../lib/spec';

Testing.setupJest();

let synth: string;
let config: Record<string, unknown>;
beforeAll(() => {
  ({ synth, config } = exampleStack());
});

type Res = Record<string, Record<string, Record<string, unknown>>>;
const resources = (type: string): Record<string, unknown>[] => Object.values((config.resource as Res)[type] ?? {});

describe('AzureSecureApiPlatform: the example spec', () => {
  test('Front Door Premium, WAF in Prevention with default + bot manager rule sets and spec-driven custom rules', () => {
    expect(synth).toHaveResourceWithProperties(CdnFrontdoorProfile, { sku_name: 'Premium_AzureFrontDoor' });
    expect(synth).toHaveResourceWithProperties(CdnFrontdoorFirewallPolicy, {
      mode: 'Prevention',
      enabled: true,
      request_body_check_enabled: true,
      managed_rule: [
        expect.objectContaining({ type: 'Microsoft_DefaultRuleSet', action: 'Block' }),
        expect.objectContaining({ type: 'Microsoft_BotManagerRuleSet', action: 'Block' }),
      ],
    });
    const rules = resources('azurerm_cdn_frontdoor_firewall_policy')[0].custom_rule as Record<string, unknown>[];
    expect(rules.map((r) => r.name)).toEqual(['DenyCidrs', 'BlockCountries', 'MaxBodySize', 'RateLimitPerIp', 'RateLimitPerApiKey']);
    expect(rules[0]).toMatchObject({ match_condition: [{ match_values: ['198.51.100.0/24'], operator: 'IPMatch' }] });
    expect(rules[1]).toMatchObject({ match_condition: [{ match_values: ['KP'], operator: 'GeoMatch' }] });
    expect(rules[2]).toMatchObject({ match_condition: [{ selector: 'Content-Length', operator: 'GreaterThan', match_values: ['16384'] }] });
    expect(rules[3]).toMatchObject({ type: 'RateLimitRule', rate_limit_threshold: 2000, rate_limit_duration_in_minutes: 5 });
    expect(rules[4]).toMatchObject({ type: 'RateLimitRule', rate_limit_threshold: 5000, match_condition: [{ selector: 'x-api-key', operator: 'Any' }] });
  });

  test('HTTPS only, TLS 1.2 minimum, health probes on the spec health route', () => {
    expect(synth).toHaveResourceWithProperties(CdnFrontdoorRoute, { supported_protocols: ['Https'], forwarding_protocol: 'HttpsOnly', patterns_to_match: ['/*'] });
    expect(synth).toHaveResourceWithProperties(CdnFrontdoorCustomDomain, { host_name: 'api.example.com', tls: { certificate_type: 'ManagedCertificate', minimum_tls_version: 'TLS12' } });
    expect(synth).toHaveResourceWithProperties(CdnFrontdoorOriginGroup, { health_probe: { path: '/orders/v1/health', protocol: 'Https', interval_in_seconds: 30, request_type: 'GET' } });
    expect(resources('azurerm_cdn_frontdoor_origin')).toHaveLength(2);
  });

  test('DDoS plan on every VNet; NSG admits Front Door, APIM management and the load balancer only', () => {
    expect(resources('azurerm_virtual_network')).toHaveLength(2);
    expect(synth).toHaveResourceWithProperties(VirtualNetwork, { location: 'northeurope', ddos_protection_plan: { enable: true, id: expect.stringContaining('azurerm_network_ddos_protection_plan') } });
    expect(synth).toHaveResourceWithProperties(NetworkSecurityGroup, {
      security_rule: expect.arrayContaining([
        expect.objectContaining({ name: 'AllowFrontDoorHttps', source_address_prefix: 'AzureFrontDoor.Backend', destination_port_range: '443', access: 'Allow' }),
        expect.objectContaining({ name: 'DenyAllInbound', access: 'Deny' }),
      ]),
    });
  });

  test('API Management Premium, VNet External, additional location with zones, weak TLS off', () => {
    expect(synth).toHaveResourceWithProperties(ApiManagement, {
      sku_name: 'Premium_2',
      virtual_network_type: 'External',
      zones: ['1', '2'],
      additional_location: [expect.objectContaining({ location: 'northeurope', zones: ['1', '2'], capacity: 2 })],
      security: expect.objectContaining({
        frontend_tls10_enabled: false,
        frontend_tls11_enabled: false,
        backend_tls11_enabled: false,
        triple_des_ciphers_enabled: false,
        tls_rsa_with_aes128_cbc_sha_ciphers_enabled: false,
      }),
    });
  });

  test('policies: well-formed XML with check-header, validate-jwt, tenant rate limits, CORS, mTLS, headers, scopes, validate-content', () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    const apiXml = resources('azurerm_api_management_api_policy').map((p) => p.xml_content as string);
    const opXml = resources('azurerm_api_management_api_operation_policy').map((p) => p.xml_content as string);
    for (const xml of [...apiXml, ...opXml]) expect(XMLValidator.validate(xml)).toBe(true);
    const api = parser.parse(apiXml[0]).policies.inbound;
    expect(api['check-header']['@_name']).toBe('X-Azure-FDID');
    expect(api['check-header'].value).toMatch(/\$\{azurerm_cdn_frontdoor_profile\..*\.resource_guid\}/);
    expect(api['validate-jwt'].issuers.issuer).toBe('https://login.example.com/oauth2/default');
    expect(api['validate-jwt'].audiences.audience).toBe('api://orders');
    expect(api['validate-jwt']['required-claims'].claim['@_name']).toBe('tenant_id');
    expect(api['rate-limit-by-key']).toMatchObject({ '@_calls': '100', '@_renewal-period': '2' });
    expect(api['rate-limit-by-key']['@_counter-key']).toContain('GetValueOrDefault("tenant_id"');
    expect(api['quota-by-key']).toMatchObject({ '@_calls': '100000', '@_renewal-period': '86400' });
    expect(api.cors['allowed-origins'].origin).toBe('https://app.example.com');
    expect(api['validate-client-certificate']['@_validate-revocation']).toBe('true');
    expect(apiXml[0]).toContain('Strict-Transport-Security');
    const post = opXml.map((x) => parser.parse(x).policies.inbound).find((i) => i['validate-content']);
    expect(post['validate-content']['@_max-size']).toBe('16384');
    expect(post['validate-jwt']['required-claims'].claim.value).toBe('orders:write');
    expect(post['quota-by-key']['@_calls']).toBe('1000000');
    expect(synth).toHaveResourceWithProperties(ApiManagementApiPolicy, { xml_content: expect.stringContaining('<validate-jwt') });
    expect(synth).toHaveResourceWithProperties(ApiManagementApiOperationPolicy, { xml_content: expect.stringContaining('<check-header name="X-Azure-FDID"') });
  });

  test('Key Vault Premium private + RBAC + purge protection, RSA-HSM key, Managed HSM for hsmBacked', () => {
    expect(synth).toHaveResourceWithProperties(KeyVault, {
      sku_name: 'premium',
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      rbac_authorization_enabled: true,
      public_network_access_enabled: false,
      network_acls: { bypass: 'AzureServices', default_action: 'Deny' },
    });
    expect(synth).toHaveResourceWithProperties(PrivateEndpoint, { private_service_connection: expect.objectContaining({ subresource_names: ['vault'] }) });
    expect(synth).toHaveResourceWithProperties(KeyVaultKey, { key_type: 'RSA-HSM', key_size: 3072 });
    expect(synth).toHaveResourceWithProperties(KeyVaultManagedHardwareSecurityModule, {
      purge_protection_enabled: true,
      public_network_access_enabled: false,
    });
  });

  test('Log Analytics retention, diagnostics on Front Door, APIM, Key Vault, Managed HSM', () => {
    expect(synth).toHaveResourceWithProperties(LogAnalyticsWorkspace, { retention_in_days: 365 });
    const targets = resources('azurerm_monitor_diagnostic_setting').map((d) => String(d.target_resource_id));
    for (const t of ['azurerm_cdn_frontdoor_profile', 'azurerm_api_management', 'azurerm_key_vault.', 'azurerm_key_vault_managed_hardware_security_module']) {
      expect(targets.some((x) => x.includes(t))).toBe(true);
    }
    expect(synth).toHaveResourceWithProperties(MonitorDiagnosticSetting, { enabled_log: [{ category_group: 'allLogs' }, { category_group: 'audit' }] });
  });

  test('immutable audit archive: TLS1_2, no public blobs, infrastructure encryption, locked 7-year policy', () => {
    expect(synth).toHaveResourceWithProperties(StorageAccount, { min_tls_version: 'TLS1_2', allow_nested_items_to_be_public: false, infrastructure_encryption_enabled: true, shared_access_key_enabled: false });
    expect(synth).toHaveResourceWithProperties(StorageContainerImmutabilityPolicy, { immutability_period_in_days: 7 * 365 + 1, locked: true });
  });

  test('Azure Policy initiatives by id and Defender for APIs', () => {
    expect(synth).toHaveResourceWithProperties(ResourceGroupPolicyAssignment, { policy_definition_id: '/providers/Microsoft.Authorization/policySetDefinitions/c676748e-3af9-4e22-bc28-50feed564afb' });
    expect(synth).toHaveResourceWithProperties(ResourceGroupPolicyAssignment, { policy_definition_id: '/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab' });
    expect(synth).toHaveResourceWithProperties(SecurityCenterSubscriptionPricing, { resource_type: 'Api', tier: 'Standard' });
  });
});

describe('spec values are XML-escaped', () => {
  test('an audience and CORS origin with XML metacharacters yield well-formed policies', () => {
    expect(xmlEscape('a&b<c>"d\'')).toBe('a&amp;b&lt;c&gt;&quot;d&apos;');
    const base = exampleSpec('azure', { lean: true });
    const spec: PlatformSpec = { ...base, identity: { ...base.identity, issuers: [{ name: 'x', issuer: 'https://id.example.com/t?a=1&b=2', audience: ['api://o<r>"d&s'] }] } };
    const stack = new TerraformStack(Testing.app(), 's');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    new AzureSecureApiPlatform(stack, 'P', { spec, publisherEmail: 'a@example.com', enforceCompliance: false });
    const out = JSON.parse(Testing.synth(stack)) as { resource: Res };
    for (const p of Object.values(out.resource.azurerm_api_management_api_policy)) {
      expect(XMLValidator.validate(p.xml_content as string)).toBe(true);
      expect(new XMLParser().parse(p.xml_content as string).policies.inbound['validate-jwt'].audiences.audience).toBe('api://o<r>"d&s');
    }
  });
});

describe('validation errors name the prop, the value and the fix', () => {
  const build = (props: Partial<AzureSecureApiPlatformProps>, spec: PlatformSpec = exampleSpec('azure', { lean: true })) => () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzureSecureApiPlatform(stack, 'P', { spec, publisherEmail: 'a@example.com', ...props });
  };
  test('AWS region names', () => expect(build({}, exampleSpec('aws', { lean: true }))).toThrow(/spec.regions must be Azure region names \(received: \["eu-west-1","eu-central-1"\]\)/));
  test('no OIDC issuer', () => {
    const s = exampleSpec('azure', { lean: true });
    expect(build({}, { ...s, identity: { userPool: s.identity.userPool } })).toThrow(/identity.issuers must list at least one OIDC issuer on Azure \(received: none\)/);
  });
  test('publisherEmail', () => expect(build({ publisherEmail: 'nope' })).toThrow(/publisherEmail must be an email address \(received: "nope"\)/));
  test('apimCapacity', () => expect(build({ apimCapacity: 0 })).toThrow(/apimCapacity must be a whole number of Premium units from 1 to 12 \(received: 0\)/));
  test('hsmAdminObjectIds', () => expect(build({}, exampleSpec('azure'))).toThrow(/hsmAdminObjectIds must list at least one Entra ID object id .*\(received: none\)/));
  test('nameSuffix', () => expect(build({ nameSuffix: 'BAD_' })).toThrow(/nameSuffix must be 1-8 lowercase letters or digits \(received: "BAD_"\)/));
});

describe('when the Terraform checks run (cdktf 0.21)', () => {
  test('app.synth() runs them per stack, writes compliance-results.json next to cdk.tf.json; an App aspect visits nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'azsynth-'));
    const app = new App({ outdir });
    let visited = 0;
    Aspects.of(app).add({ visit: () => { visited++; } });
    const stack = new TerraformStack(app, 'lean');
    new AzurermProvider(stack, 'azurerm', { features: [{}], storageUseAzuread: true });
    new AzureSecureApiPlatform(stack, 'P', { spec: exampleSpec('azure', { lean: true }), publisherEmail: 'a@example.com' });
    app.synth();
    expect(visited).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'lean', COMPLIANCE_RESULTS_FILE), 'utf8'));
    expect(report.findings).toEqual([]);
    expect(report.results.length).toBeGreaterThan(20);
    expect(report.results[0]).toEqual(expect.objectContaining({ ruleId: expect.stringMatching(/^SecureApiAz-/), resource: expect.any(String), status: expect.any(String), controls: expect.objectContaining({ pci: expect.any(Array), hipaa: expect.any(Array), nist: expect.any(Array) }) }));
    // Demo mode: the unlocked one-day retention is acknowledged, with its reason, in the report.
    expect(report.results.find((r: { ruleId: string; status: string }) => r.ruleId === 'SecureApiAz-AuditImmutability').status).toBe('ACKNOWLEDGED');
  });

  test('an unacknowledged finding fails app.synth(), and the report is still written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'azsynth-'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'bad');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: exampleSpec('azure', { lean: true }), publisherEmail: 'a@example.com' });
    p.wafPolicy.mode = 'Detection';
    expect(() => app.synth()).toThrow(/SecureApiAz-WafPrevention at azurerm_cdn_frontdoor_firewall_policy\..*mode must be "Prevention"/);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bad', COMPLIANCE_RESULTS_FILE), 'utf8'));
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['SecureApiAz-WafPrevention']);
  });

  test('skipValidation still runs the pass (custom synthesis)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'azsynth-'));
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'skip');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: exampleSpec('azure', { lean: true }), publisherEmail: 'a@example.com' });
    p.keyVault.purgeProtectionEnabled = false;
    expect(() => app.synth()).toThrow(/SecureApiAz-KeyVaultRecovery/);
  });

  test('Testing.synth(stack, true) runs them; Testing.synth(stack) does not', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: exampleSpec('azure', { lean: true }), publisherEmail: 'a@example.com' });
    p.apim.virtualNetworkType = 'None';
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(() => Testing.synth(stack, true)).toThrow(/SecureApiAz-ApimNetwork/);
  });
});
