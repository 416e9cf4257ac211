import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { exampleStack } from './fixture';
import { AZURE_PARITY, AzureSecureApiPlatform, renderParityTable } from '../../constructs/azure';
import { PARITY_END, PARITY_START } from '../../scripts/render-parity';
import { AZURE_BACKEND_PACKAGE as ORDERS_BACKEND_PACKAGE, fixtureSpec } from '../fixtures/platform-spec';

let config: { resource: Record<string, Record<string, Record<string, unknown>>> };
beforeAll(() => {
  config = exampleStack().config as typeof config;
});

test('the README\'s parity table is the one rendered from constructs/azure/parity.ts', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(PARITY_START) + PARITY_START.length, readme.indexOf(PARITY_END)).trim();
  expect(section).toBe(renderParityTable());
});

test('every Azure column is backed by resources of the synthesized example; every "none" names its gap', () => {
  for (const row of AZURE_PARITY) {
    for (const type of row.azureResources) {
      expect([row.capability, type, Object.keys(config.resource[type] ?? {}).length > 0]).toEqual([row.capability, type, true]);
    }
    if (row.azure.startsWith('none')) expect(row.gap).toBeDefined();
  }
  // The points 4 (partner mTLS) and 7 (TLS 1.3) are named gaps, with their reasons.
  expect(AZURE_PARITY.find((r) => r.capability === 'Partner mTLS')!.gap).toMatch(/Front Door, which does not forward client certificates/);
  expect(AZURE_PARITY.find((r) => r.capability === 'Client TLS 1.3 minimum')!.gap).toMatch(/TLS12 only/);
});

test('a deprecated API version answers with Deprecation and Sunset; an mTLS API warns that it cannot work on Azure', () => {
  const base = fixtureSpec('azure');
  const spec = { ...base, identity: { issuers: base.identity.issuers }, apis: base.apis.map((a) => ({ ...a, deprecation: { sunset: '2027-06-30' } })) };
  const stack = new TerraformStack(Testing.app(), 's');
  const p = new AzureSecureApiPlatform(stack, 'P', {
    spec,
    publisherEmail: 'a@example.com',
    hsmAdminObjectIds: ['00000000-0000-0000-0000-000000000001'],
    backendPackages: { 'orders-v1': { packagePath: ORDERS_BACKEND_PACKAGE } },
    enforceCompliance: false,
  });
  const out = JSON.parse(Testing.synth(stack)) as typeof config;
  const xml = Object.values(out.resource.azurerm_api_management_api_policy)[0].xml_content as string;
  expect(xml).toContain('<set-header name="Deprecation" exists-action="override"><value>true</value></set-header>');
  expect(xml).toContain('<set-header name="Sunset" exists-action="override"><value>Wed, 30 Jun 2027 00:00:00 GMT</value></set-header>');
  const warnings = p.gateway.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
  expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/apis "orders-v1": mtls cannot work on Azure yet: .*Front Door, which does not pass client certificates/)]));
});
