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
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ResourceGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/resource-group-policy-assignment';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { SecurityCenterSubscriptionPricing } from '@cdktf/provider-azurerm/lib/security-center-subscription-pricing';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
// Types of the cdktf jest matchers (toHaveResourceWithProperties).
import 'cdktf/lib/testing/adapters/jest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { exampleStack, FixtureAzureStack as OrdersAzureStack } from './fixture';
import {
  AzureAudit, AzureEdge, AzureGateway, AzureGovernance, AzureKeys, AzureNetwork, AzureSecureApiPlatform, AzureSecureApiPlatformProps,
  COMPLIANCE_RESULTS_FILE,
} from '../../constructs/azure';
import { JWT_CLOCK_SKEW_SECONDS, xmlEscape } from '../../constructs/azure/policies';
import { PlatformSpec, resolveSpec } from '../../lib/spec';
import { AZURE_BACKEND_PACKAGE as ORDERS_BACKEND_PACKAGE, fixtureSpec } from '../fixtures/platform-spec';

Testing.setupJest();

/** The example orders backend's package: every Lambda-kind API needs one on Azure. */
const ORDERS = { 'orders-v1': { packagePath: ORDERS_BACKEND_PACKAGE } };

/** Every element named `name` anywhere under a parsed XML node (inside <choose>/<when> too), in document order. */
function findAll(node: unknown, name: string): any[] {
  if (Array.isArray(node)) return node.flatMap((n) => findAll(n, name));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === name ? (Array.isArray(v) ? v : [v]) : findAll(v, name)));
}

let synth: string;
let config: Record<string, unknown>;
let example: OrdersAzureStack;
beforeAll(() => {
  ({ synth, config, stack: example } = exampleStack());
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
    const [jwt] = findAll(api, 'validate-jwt');
    expect(jwt.issuers.issuer).toBe('https://login.example.com/oauth2/default');
    expect(jwt.audiences.audience).toBe('api://orders');
    expect(jwt['required-claims'].claim['@_name']).toBe('tenant_id');
    expect(api['rate-limit-by-key']).toMatchObject({ '@_calls': '100', '@_renewal-period': '2' });
    // The tenant of the authorizer's decision (JWT and API-key callers alike), never a client header.
    expect(api['rate-limit-by-key']['@_counter-key']).toContain('["tenantId"]');
    expect(api['quota-by-key']).toMatchObject({ '@_calls': '100000', '@_renewal-period': '86400' });
    expect(api.cors['allowed-origins'].origin).toBe('https://app.example.com');
    expect(api['validate-client-certificate']['@_validate-revocation']).toBe('true');
    expect(apiXml[0]).toContain('Strict-Transport-Security');
    const post = opXml.map((x) => parser.parse(x).policies.inbound).find((i) => i['validate-content']);
    expect(post['validate-content']['@_max-size']).toBe('16384');
    expect(findAll(post, 'validate-jwt')[0]['required-claims'].claim.value).toBe('orders:write');
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
    const base = fixtureSpec('azure', { lean: true });
    const spec: PlatformSpec = { ...base, identity: { ...base.identity, issuers: [{ name: 'x', issuer: 'https://id.example.com/t?a=1&b=2', audience: ['api://o<r>"d&s'] }] } };
    const stack = new TerraformStack(Testing.app(), 's');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    new AzureSecureApiPlatform(stack, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true, enforceCompliance: false });
    const out = JSON.parse(Testing.synth(stack)) as { resource: Res };
    for (const p of Object.values(out.resource.azurerm_api_management_api_policy)) {
      expect(XMLValidator.validate(p.xml_content as string)).toBe(true);
      expect(findAll(new XMLParser().parse(p.xml_content as string).policies.inbound, 'validate-jwt')[0].audiences.audience).toBe('api://o<r>"d&s');
    }
  });
});

describe('validation errors name the prop, the value and the fix', () => {
  const build = (props: Partial<AzureSecureApiPlatformProps>, spec: PlatformSpec = fixtureSpec('azure', { lean: true })) => () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzureSecureApiPlatform(stack, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true, ...props });
  };
  test('AWS region names', () => expect(build({}, fixtureSpec('aws', { lean: true }))).toThrow(/spec.regions must be Azure region names \(received: \["eu-west-1","eu-central-1"\]\)/));
  test('no OIDC issuer', () => {
    const s = fixtureSpec('azure', { lean: true });
    expect(build({}, { ...s, identity: { userPool: s.identity.userPool } })).toThrow(/identity.issuers must list at least one OIDC issuer on Azure \(received: none\)/);
  });
  test('publisherEmail', () => expect(build({ publisherEmail: 'nope' })).toThrow(/publisherEmail must be an email address \(received: "nope"\)/));
  // Checked once, by the gateway that renders it (the platform passes it through).
  test('apimCapacity', () => expect(build({ apimCapacity: 0 })).toThrow(/capacity must be a whole number of Premium units from 1 to 12 \(received: 0\)/));
  test('hsmAdminObjectIds', () => expect(build({}, fixtureSpec('azure'))).toThrow(/hsmAdminObjectIds must list at least one Entra ID object id .*\(received: none\)/));
  test('nameSuffix', () => expect(build({ nameSuffix: 'BAD_' })).toThrow(/nameSuffix must be 1-8 lowercase letters or digits \(received: "BAD_"\)/));
});

describe('when the Terraform checks run (cdktf 0.21)', () => {
  // Each synth writes into its own temporary folder, removed after the block.
  const outdirs: string[] = [];
  const tempOutdir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azsynth-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('app.synth() runs them per stack, writes compliance-results.json next to cdk.tf.json; an App aspect visits nothing', () => {
    const outdir = tempOutdir();
    const app = new App({ outdir });
    let visited = 0;
    Aspects.of(app).add({ visit: () => { visited++; } });
    const stack = new TerraformStack(app, 'lean');
    new AzurermProvider(stack, 'azurerm', { features: [{}], storageUseAzuread: true });
    new AzureSecureApiPlatform(stack, 'P', { spec: fixtureSpec('azure', { lean: true }), publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true });
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
    const outdir = tempOutdir();
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'bad');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: fixtureSpec('azure', { lean: true }), publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true });
    p.wafPolicy.mode = 'Detection';
    expect(() => app.synth()).toThrow(/SecureApiAz-WafPrevention at azurerm_cdn_frontdoor_firewall_policy\..*mode must be "Prevention"/);
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bad', COMPLIANCE_RESULTS_FILE), 'utf8'));
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['SecureApiAz-WafPrevention']);
  });

  test('skipValidation still runs the pass (custom synthesis)', () => {
    const outdir = tempOutdir();
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'skip');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: fixtureSpec('azure', { lean: true }), publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true });
    p.keyVault.purgeProtectionEnabled = false;
    expect(() => app.synth()).toThrow(/SecureApiAz-KeyVaultRecovery/);
  });

  test('Testing.synth(stack, true) runs them; Testing.synth(stack) does not', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const p = new AzureSecureApiPlatform(stack, 'P', { spec: fixtureSpec('azure', { lean: true }), publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true });
    p.apim.virtualNetworkType = 'None';
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(() => Testing.synth(stack, true)).toThrow(/SecureApiAz-ApimNetwork/);
  });
});

const nameOf = (type: string): string => Object.keys((config.resource as Res)[type])[0];
const ref = (type: string, attr: string): string => `\${${type}.${nameOf(type)}.${attr}}`;
const warnings = (scope: { node: { findAll(): { node: { metadata: { type: string; data: unknown }[] } }[] } }): string[] =>
  scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));

describe('one construct per concern, composed by AzureSecureApiPlatform', () => {
  test('the platform exposes each concern, and its members are the concerns\' resources', () => {
    const p = example.platform;
    expect(p.network).toBeInstanceOf(AzureNetwork);
    expect(p.audit).toBeInstanceOf(AzureAudit);
    expect(p.keys).toBeInstanceOf(AzureKeys);
    expect(p.gateway).toBeInstanceOf(AzureGateway);
    expect(p.edge).toBeInstanceOf(AzureEdge);
    expect(p.governance).toBeInstanceOf(AzureGovernance);
    expect(p.node.children.map((c) => c.node.id)).toEqual(expect.arrayContaining(['Network', 'Audit', 'Keys', 'Gateway', 'Edge', 'Governance']));
    expect(p.apim).toBe(p.gateway.apim);
    expect(p.wafPolicy).toBe(p.edge.wafPolicy);
    expect(p.keyVault).toBe(p.keys.keyVault);
    expect(p.auditAccount).toBe(p.audit.archiveAccount);
    expect(p.regions).toBe(p.network.regions);
    expect(p.policyAssignments).toBe(p.governance.policyAssignments);
    expect(Object.keys(p.apis)).toEqual(['orders-v1']);
  });

  test('AzureGateway used on its own: a synth-time validation error until addApis() renders the APIs', () => {
    const s = new TerraformStack(Testing.app(), 's');
    const spec = resolveSpec(fixtureSpec('azure', { lean: true }));
    const resourceGroup = new ResourceGroup(s, 'rg', { name: 'rg', location: spec.primaryRegion });
    const network = new AzureNetwork(s, 'Network', { spec, resourceGroup, nameSuffix: 'abc' });
    const gateway = new AzureGateway(s, 'Gateway', { spec, resourceGroup, network, nameSuffix: 'abc', publisherEmail: 'a@example.com' });
    expect(gateway.node.validate()).toEqual([expect.stringMatching(/the spec's APIs were never rendered: call addApis\(frontDoorId, wiring\)/)]);
    const wiring = {
      authorizers: [{ region: 'westeurope', hostName: 'authz.example.net', keyNamedValue: 'authorizer-key-westeurope' }],
      backends: { 'orders-v1': [{ region: 'westeurope', backendId: 'orders-v1-westeurope', url: 'https://orders.example.net/api' }] },
    };
    expect(() => gateway.addApis('x', { ...wiring, backends: {} })).toThrow(/API orders-v1 has a lambda backend but no Functions backend was given to addApis/);
    const fresh = new AzureGateway(s, 'Gateway2', { spec, resourceGroup, network, nameSuffix: 'abd', publisherEmail: 'a@example.com' });
    fresh.addApis('00000000-0000-0000-0000-000000000000', wiring);
    expect(fresh.node.validate()).toEqual([]);
    expect(() => fresh.addApis('x', wiring)).toThrow(/addApis\(\) was already called/);
    expect(() => new AzureGateway(s, 'G2', { spec, resourceGroup, network, nameSuffix: 'abc', publisherEmail: 'a@example.com', capacity: 13 }))
      .toThrow(/capacity must be a whole number of Premium units from 1 to 12 \(received: 13\)/);
  });
});

describe('audit: every diagnostic setting reaches Log Analytics and the immutable archive', () => {
  test('Front Door (WAF logs), APIM, Key Vault and Managed HSM settings carry storage_account_id and the workspace', () => {
    const archive = ref('azurerm_storage_account', 'id');
    const workspace = ref('azurerm_log_analytics_workspace', 'id');
    for (const target of ['azurerm_cdn_frontdoor_profile', 'azurerm_api_management', 'azurerm_key_vault', 'azurerm_key_vault_managed_hardware_security_module']) {
      expect(synth).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
        target_resource_id: ref(target, 'id'),
        storage_account_id: archive,
        log_analytics_workspace_id: workspace,
        enabled_log: [{ category_group: 'allLogs' }, { category_group: 'audit' }],
      });
    }
    expect(resources('azurerm_monitor_diagnostic_setting').every((d) => d.storage_account_id === archive)).toBe(true);
  });

  test('the archive account is WORM at account level (insights-logs-* containers), private, with a blob private endpoint', () => {
    expect(synth).toHaveResourceWithProperties(StorageAccount, {
      public_network_access_enabled: false,
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
      immutability_policy: { state: 'Locked', period_since_creation_in_days: 7 * 365 + 1, allow_protected_append_writes: true },
    });
    expect(synth).toHaveResourceWithProperties(PrivateEndpoint, {
      subnet_id: expect.stringContaining('EndpointSubnet-westeurope'),
      private_service_connection: expect.objectContaining({ subresource_names: ['blob'], private_connection_resource_id: ref('azurerm_storage_account', 'id') }),
      private_dns_zone_group: { name: 'blob', private_dns_zone_ids: [expect.stringContaining('azurerm_private_dns_zone.')] },
    });
    expect(synth).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.blob.core.windows.net' });
    expect(synth).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.vaultcore.azure.net' });
    // Linked to both regions' VNets, for each zone (vault, blob, Cosmos DB table, function apps).
    expect(resources('azurerm_private_dns_zone_virtual_network_link')).toHaveLength(8);
  });

  test('a first deployment (lockAuditArchive: false) creates the account policy unlocked, acknowledged with the reason', () => {
    const s = new TerraformStack(Testing.app(), 's');
    const lean = fixtureSpec('azure', { lean: true });
    const noPool: PlatformSpec = { ...lean, identity: { issuers: lean.identity.issuers }, audit: { retentionYears: 7 } };
    const p = new AzureSecureApiPlatform(s, 'P', { spec: noPool, publisherEmail: 'a@example.com', backendPackages: ORDERS, lockAuditArchive: false });
    expect(p.auditAccount.immutabilityPolicy.internalValue).toMatchObject({ state: 'Unlocked', periodSinceCreationInDays: 7 * 365 + 1 });
    const report = p.compliance!.check();
    expect(report.findings).toEqual([]);
    const results = report.results.filter((r) => r.ruleId === 'SecureApiAz-AuditImmutability');
    expect(results).toHaveLength(2);
    expect(results).toEqual(expect.arrayContaining([
      expect.objectContaining({ resource: expect.stringMatching(/^azurerm_storage_account\./), status: 'ACKNOWLEDGED', acknowledgment: { reason: expect.stringMatching(/ARM creates account-level immutability policies unlocked only/) } }),
      expect.objectContaining({ resource: expect.stringMatching(/^azurerm_storage_container\./), status: 'COMPLIANT' }),
    ]));
  });
});

describe('keys: Key Vault RBAC role assignments', () => {
  test('APIM\'s system-assigned identity is a Key Vault Secrets User on the vault, and nothing more', () => {
    expect(synth).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets User',
      scope: ref('azurerm_key_vault', 'id'),
      principal_id: `\${azurerm_api_management.${nameOf('azurerm_api_management')}.identity[0].principal_id}`,
      principal_type: 'ServicePrincipal',
    });
    const apimRoles = resources('azurerm_role_assignment').filter((r) => String(r.principal_id).includes('azurerm_api_management.'));
    expect(apimRoles.map((r) => r.role_definition_name)).toEqual(['Key Vault Secrets User']);
  });

  test('the deployer is Key Vault Crypto Officer on the vault, and the data key waits for that role', () => {
    expect(synth).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Crypto Officer',
      scope: ref('azurerm_key_vault', 'id'),
      principal_id: expect.stringMatching(/^\$\{data\.azurerm_client_config\..*\.object_id\}$/),
    });
    const officer = Object.entries((config.resource as Res).azurerm_role_assignment).find(([, r]) => r.role_definition_name === 'Key Vault Crypto Officer')![0];
    expect(synth).toHaveResourceWithProperties(KeyVaultKey, { depends_on: [`azurerm_role_assignment.${officer}`] });
    // Every Key Vault role is scoped to the vault; no role assignment is scoped to the resource group or subscription.
    const assignments = resources('azurerm_role_assignment');
    expect(assignments.filter((r) => String(r.role_definition_name).startsWith('Key Vault')).every((r) => r.scope === ref('azurerm_key_vault', 'id'))).toBe(true);
    expect(assignments.every((r) => !/azurerm_resource_group|subscription/.test(String(r.scope)))).toBe(true);
  });
});

describe('validate-jwt: a complete token validation in the API policy and in each scope check', () => {
  const parser = new XMLParser({ ignoreAttributes: false });
  test.each([
    ['the API policy', 'azurerm_api_management_api_policy', '401'],
    ['an operation\'s scope check', 'azurerm_api_management_api_operation_policy', '403'],
  ])('%s requires Bearer, exp, signed tokens, a bounded clock skew, the audiences and the issuers', (_what, type, code) => {
    const jwt = resources(type).flatMap((p) => findAll(parser.parse(p.xml_content as string).policies.inbound, 'validate-jwt'))[0];
    expect(jwt).toMatchObject({
      '@_header-name': 'Authorization',
      '@_require-scheme': 'Bearer',
      '@_require-expiration-time': 'true',
      '@_require-signed-tokens': 'true',
      '@_clock-skew': String(JWT_CLOCK_SKEW_SECONDS),
      '@_failed-validation-httpcode': code,
      'openid-config': { '@_url': 'https://login.example.com/oauth2/default/.well-known/openid-configuration' },
      'audiences': { audience: 'api://orders' },
      'issuers': { issuer: 'https://login.example.com/oauth2/default' },
    });
    expect(JWT_CLOCK_SKEW_SECONDS).toBeLessThanOrEqual(300);
  });

  test('an explicit jwksUri cannot be given to API Management: the issuer\'s OpenID configuration is used, with a warning', () => {
    const base = fixtureSpec('azure', { lean: true });
    const spec: PlatformSpec = { ...base, identity: { issuers: [{ ...base.identity.issuers![0], jwksUri: 'https://keys.example.com/jwks.json' }] } };
    const s = new TerraformStack(Testing.app(), 's');
    const p = new AzureSecureApiPlatform(s, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS, enforceCompliance: false });
    expect(warnings(p.gateway)).toEqual([expect.stringMatching(/jwksUri https:\/\/keys\.example\.com\/jwks\.json is not used on Azure; .*https:\/\/login\.example\.com\/oauth2\/default\/\.well-known\/openid-configuration/)]);
  });
});

describe('identity.userPool on Azure', () => {
  const spec = fixtureSpec('azure', { lean: true });
  test('is refused by default, pointing to Entra External ID through identity.issuers', () => {
    expect(() => new AzureSecureApiPlatform(new TerraformStack(Testing.app(), 's'), 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS }))
      .toThrow(/spec\.identity\.userPool cannot be rendered on Azure \(received: a user pool\); .*Microsoft Entra External ID .*identity\.issuers, or set ignoreUserPool: true/);
  });
  test('ignoreUserPool: true renders the issuers only and warns that user-pool tokens get 401', () => {
    const p = new AzureSecureApiPlatform(new TerraformStack(Testing.app(), 's'), 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS, ignoreUserPool: true, enforceCompliance: false });
    expect(warnings(p)).toContainEqual(expect.stringMatching(/identity\.userPool is not rendered on Azure \(ignoreUserPool: true\).*401/));
  });
  test('a spec without a user pool needs no opt-out and warns nothing about it', () => {
    const noPool: PlatformSpec = { ...spec, identity: { issuers: spec.identity.issuers } };
    const p = new AzureSecureApiPlatform(new TerraformStack(Testing.app(), 's'), 'P', { spec: noPool, publisherEmail: 'a@example.com', backendPackages: ORDERS, enforceCompliance: false });
    expect(warnings(p)).toEqual([]);
  });
});

describe('per-issuer token validation (issuers are never pooled)', () => {
  const parser = new XMLParser({ ignoreAttributes: false });
  const base = fixtureSpec('azure', { lean: true });
  const spec: PlatformSpec = {
    ...base,
    identity: {
      issuers: [
        { name: 'a', issuer: 'https://a.example.com', audience: ['api://a'], algorithms: ['RS256'] },
        { name: 'b', issuer: 'https://b.example.com', audience: ['api://b'], algorithms: ['RS256', 'ES256'] },
        { name: 'c', issuer: 'https://c.example.com', audience: ['api://c'], algorithms: ['ES256'] },
      ],
    },
  };
  let out: { resource: Res };
  beforeAll(() => {
    const s = new TerraformStack(Testing.app(), 's');
    new AzureSecureApiPlatform(s, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: ORDERS, enforceCompliance: false });
    out = JSON.parse(Testing.synth(s)) as { resource: Res };
  });

  test.each([
    ['the API policy', 'azurerm_api_management_api_policy'],
    ['each scoped operation policy', 'azurerm_api_management_api_operation_policy'],
  ])('%s: one validate-jwt per issuer with that issuer\'s own configuration and audiences, chosen by the unverified iss and alg', (_what, type) => {
    const xmls = Object.values(out.resource[type]).map((p) => p.xml_content as string).filter((x) => x.includes('<validate-jwt'));
    expect(xmls.length).toBeGreaterThan(0);
    for (const xml of xmls) {
      const whens = findAll(parser.parse(xml).policies.inbound, 'when').filter((w) => w['validate-jwt']);
      // Issuers a and b (RS256); c signs with ES256 only, which API Management cannot verify: the function validates it.
      expect(whens.map((w) => w['validate-jwt'].issuers.issuer)).toEqual(['https://a.example.com', 'https://b.example.com']);
      for (const w of whens) {
        const jwt = w['validate-jwt'];
        const name = jwt.issuers.issuer as string;
        expect(w['@_condition']).toContain(`(string)context.Variables["tokenIssuer"] == "${name}"`);
        expect(w['@_condition']).toContain('(string)context.Variables["tokenAlg"] == "RS256"');
        expect(jwt['openid-config']['@_url']).toBe(`${name}/.well-known/openid-configuration`);
        expect(jwt.audiences.audience).toBe(`api://${name.slice(8, 9)}`);
      }
    }
  });

  test('the API policy takes iss and alg from the unverified token, and refuses a bearer JWT of an unknown issuer with 401', () => {
    const xml = Object.values(out.resource.azurerm_api_management_api_policy)[0].xml_content as string;
    const inbound = parser.parse(xml).policies.inbound;
    const vars = findAll(inbound, 'set-variable').map((v) => [v['@_name'], v['@_value']]);
    expect(vars).toEqual(expect.arrayContaining([
      ['tokenIssuer', '@(context.Request.Headers.GetValueOrDefault("Authorization", "").Split(\' \').Last().AsJwt()?.Issuer ?? "")'],
      ['tokenAlg', '@(context.Request.Headers.GetValueOrDefault("Authorization", "").Split(\' \').Last().AsJwt()?.Algorithm ?? "")'],
    ]));
    const reject = findAll(inbound, 'when').find((w) => String(w['@_condition']).includes('!= "https://c.example.com"'));
    expect(reject['@_condition']).toBe('@((string)context.Variables["tokenIssuer"] != "" && (string)context.Variables["tokenIssuer"] != "https://a.example.com" && (string)context.Variables["tokenIssuer"] != "https://b.example.com" && (string)context.Variables["tokenIssuer"] != "https://c.example.com")');
    expect(reject['return-response']['set-status']['@_code']).toBe('401');
  });

  test('the authorizer function is called with the decision cached per region under SHA-256(credential, method, path, client IP)', () => {
    const xml = Object.values(out.resource.azurerm_api_management_api_policy)[0].xml_content as string;
    const inbound = parser.parse(xml).policies.inbound;
    // X-Azure-ClientIP is read only after the Front Door id was checked.
    expect(xml.indexOf('X-Azure-FDID')).toBeLessThan(xml.indexOf('X-Azure-ClientIP'));
    const key = findAll(inbound, 'set-variable').find((v) => v['@_name'] === 'authzKey')['@_value'] as string;
    for (const part of ['h.GetValueOrDefault("Authorization", "")', 'h.GetValueOrDefault("x-api-key", "")', 'context.Request.Method', 'context.Request.OriginalUrl.Path', '(string)context.Variables["clientIp"]', 'SHA256']) {
      expect(key).toContain(part);
    }
    expect(findAll(inbound, 'cache-lookup-value')[0]).toMatchObject({ '@_caching-type': 'internal', '@_variable-name': 'authzAnswer' });
    expect(findAll(inbound, 'cache-store-value')[0]).toMatchObject({ '@_caching-type': 'internal', '@_duration': '300' });
    const send = findAll(inbound, 'send-request')[0];
    expect(send['set-url']).toMatch(/\$\{azurerm_function_app_flex_consumption\..*\.default_hostname\}\/api\/authorize/);
    expect(send['set-method']).toBe('POST');
  });
});
