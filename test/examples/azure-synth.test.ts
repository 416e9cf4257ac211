// `npm run synth:azure` as a user runs it: the example app (examples/azure/main.ts, cdktf.json's `app`) in its own
// process, writing cdktf.out. Its cdk.tf.json must put a backend behind every API of the spec, and the README's Azure
// section and parity table must say what that file holds.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test or the repository */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AZURE_PARITY, COMPLIANCE_RESULTS_FILE, renderParityTable } from '../../constructs/azure';
import { exampleSpec } from '../../examples/spec';
import { resolveSpec } from '../../lib/spec';
import { PARITY_END, PARITY_START } from '../../scripts/render-parity';

type Res = Record<string, Record<string, Record<string, any>>>;
const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const azureSection = readme.slice(readme.indexOf('## Azure (CDKTF)'), readme.indexOf('## Operating the platform: the CLI'));
const spec = resolveSpec(exampleSpec('azure'));
let out: { resource: Res };
let report: { findings: unknown[]; results: Array<{ ruleId: string; resource: string; status: string }> };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'synth-azure-'));
  const app = (JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { app: string }).app;
  // cdktf.json's app is `npx tsx examples/azure/main.ts`: the same entry point, with tsx loaded into this Node.
  expect(app).toBe('npx tsx examples/azure/main.ts');
  expect(existsSync(join(root, 'assets', 'azure-orders-backend.zip'))).toBe(true);
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), join(root, 'examples', 'azure', 'main.ts')], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  expect([r.status, r.stderr.split('\n').filter((l) => /error/i.test(l))]).toEqual([0, []]);
  const stack = join(dir, 'cdktf.out', 'stacks', 'orders-azure');
  out = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8')) as { resource: Res };
  report = JSON.parse(readFileSync(join(stack, COMPLIANCE_RESULTS_FILE), 'utf8')) as typeof report;
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const resources = (type: string): Array<[string, Record<string, any>]> => Object.entries(out.resource[type] ?? {});

test('every API of the spec is rendered, each with a backend: a service URL or a Functions backend entity per region', () => {
  const apis = resources('azurerm_api_management_api');
  expect(apis.map(([, a]) => `${a.path}`).sort()).toEqual(spec.apis.map((a) => `${a.name}/${a.version}`).sort());
  const parser = new XMLParser({ ignoreAttributes: false });
  const backendIds = new Set(resources('azurerm_api_management_backend').map(([, b]) => b.name as string));
  for (const [name, api] of apis) {
    const policy = resources('azurerm_api_management_api_policy').find(([, p]) => String(p.api_name).includes(`azurerm_api_management_api.${name}.`))?.[1];
    expect(policy).toBeDefined();
    const targets = [...String(policy!.xml_content).matchAll(/<set-backend-service backend-id="([^"]+)"/g)].map((m) => m[1]);
    if (api.service_url === undefined) {
      // A Lambda-kind API: one Functions backend per region, each an existing backend entity.
      expect(targets.length).toBe(spec.regions.length);
      for (const t of targets) expect(backendIds.has(t)).toBe(true);
    } else {
      expect(String(api.service_url)).toMatch(/^https:\/\//);
    }
    expect(() => parser.parse(policy!.xml_content as string)).not.toThrow();
  }
  // The synth's own Terraform checks agree, with nothing unacknowledged.
  expect(report.results.filter((r) => r.ruleId === 'SecureApiAz-ApimBackend').map((r) => r.status)).toEqual(apis.map(() => 'COMPLIANT'));
  expect(report.findings).toEqual([]);
});

test('the Lambda-kind backend runs the orders package on a Flex Consumption app in every region', () => {
  const apps = resources('azurerm_function_app_flex_consumption').filter(([, a]) => a.app_settings?.ORDERS_TABLE === 'orders');
  expect(apps.length).toBe(spec.regions.length);
  expect(apps.map(([, a]) => a.location).sort()).toEqual([...spec.regions].sort());
});

test('the README\'s parity table is the rendered one, and every Azure resource it names is in this cdk.tf.json', () => {
  const table = readme.slice(readme.indexOf(PARITY_START) + PARITY_START.length, readme.indexOf(PARITY_END)).trim();
  expect(table).toBe(renderParityTable());
  for (const row of AZURE_PARITY) {
    for (const type of row.azureResources) expect([row.capability, type, resources(type).length > 0]).toEqual([row.capability, type, true]);
  }
});

describe('the README\'s Azure section says what the synthesized file holds', () => {
  test('"caches the answer per region with `cache-store-value` for 300 s (off for mTLS APIs)"', () => {
    expect(azureSection).toContain('caches the answer per region with `cache-store-value` for 300 s (off for mTLS APIs)');
    const policies = resources('azurerm_api_management_api_policy').map(([, p]) => String(p.xml_content));
    expect(policies.length).toBe(spec.apis.length);
    for (const xml of policies) {
      // The example's orders API is an mTLS API (see the parity table's Partner mTLS row): its decisions are not cached.
      if (xml.includes('<validate-client-certificate')) expect(xml).not.toContain('<cache-store-value');
      else expect(xml).toMatch(/<cache-store-value [^>]*duration="300" caching-type="internal"/);
    }
  });

  test('"runs as a Flex Consumption function in every region"', () => {
    expect(azureSection).toMatch(/runs as a Flex Consumption\s+function in every region/);
    const authorizers = resources('azurerm_function_app_flex_consumption').filter(([, a]) => a.app_settings?.AUTHORIZER_CONFIG !== undefined);
    expect(authorizers.map(([, a]) => a.location).sort()).toEqual([...spec.regions].sort());
  });

  test('"a Cosmos DB for Table account (a replica per region, local keys off, private endpoints)"', () => {
    expect(azureSection).toMatch(/live in a Cosmos DB for Table account \(a replica per region, local keys off, private endpoints\)/);
    const [[name, account]] = resources('azurerm_cosmosdb_account');
    expect(account.capabilities).toEqual([{ name: 'EnableTable' }]);
    expect(account.geo_location.map((g: { location: string }) => g.location).sort()).toEqual([...spec.regions].sort());
    expect([account.local_authentication_disabled, account.public_network_access_enabled]).toEqual([true, false]);
    const endpoints = resources('azurerm_private_endpoint').filter(([, e]) => String(e.private_service_connection?.private_connection_resource_id).includes(`azurerm_cosmosdb_account.${name}.`));
    expect(endpoints.length).toBe(spec.regions.length);
  });

  test('"The data key (customer-managed) encrypts the archive, the function storage accounts and Cosmos DB"', () => {
    expect(azureSection).toMatch(/The data key \(customer-managed\) encrypts the archive, the function storage accounts and Cosmos DB/);
    for (const [name, a] of resources('azurerm_storage_account')) expect([name, String(a.customer_managed_key?.key_vault_key_id ?? '')]).toEqual([name, expect.stringContaining('azurerm_key_vault_key.')]);
    for (const [, a] of resources('azurerm_cosmosdb_account')) expect(String(a.key_vault_key_id)).toContain('azurerm_key_vault_key.');
  });

  test('"the subscription Activity Log goes to the workspace and the archive"', () => {
    expect(azureSection).toMatch(/the subscription\s+Activity Log goes to the workspace and the archive/);
    const activity = resources('azurerm_monitor_diagnostic_setting').filter(([, d]) => String(d.target_resource_id).includes('data.azurerm_subscription.'));
    expect(activity.length).toBe(1);
    expect(String(activity[0][1].log_analytics_workspace_id)).toContain('azurerm_log_analytics_workspace.');
    expect(String(activity[0][1].storage_account_id)).toContain('azurerm_storage_account.');
  });
});
