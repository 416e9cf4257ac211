// Issuers bound to tenants on Azure, from the same spec as on AWS (`identity.issuers[].tenants`): a federated issuer
// may assert only its own tenants. Both sides read the synthesized cdk.tf.json: the API policy API Management runs
// (validate-jwt per issuer, requiring one of that issuer's tenants), and the authorizer function's own configuration
// (its AUTHORIZER_CONFIG app setting), run through the @azure/functions v4 handler with the issuers' keys.
import { Testing, TerraformStack } from 'cdktf';
import { XMLParser } from 'fast-xml-parser';
import { apimBody, invoke } from './function-runtime';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { ORDERS_BACKEND_PACKAGE } from '../../examples/azure/main';
import { exampleSpec } from '../../examples/spec';
import { AuthorizerConfig, Reason } from '../../lib/authorizer';
import { AZURE_AUTHORIZER_ENV, AZURE_AUTHZ_RESPONSE } from '../../lib/authorizer/adapters/azure-contract';
import { createAzureAuthorizerHandler } from '../../lib/authorizer/adapters/azure-function';
import { MemoryAuthorizerStore } from '../../lib/authorizer/stores/memory';
import { PlatformSpec } from '../../lib/spec';
import { claims, event, LogCapture, rsaKey, signJwt, TestKey } from '../authorizer/helpers';

type Res = Record<string, Record<string, Record<string, any>>>;

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const spec: PlatformSpec = {
  ...exampleSpec('azure', { lean: true }),
  identity: {
    issuers: [
      { name: 'a', issuer: A, audience: ['api://orders'], algorithms: ['RS256'], tenants: ['acme'] },
      { name: 'b', issuer: B, audience: ['api://orders'], algorithms: ['RS256'], tenants: ['globex'] },
    ],
  },
};

let out: { resource: Res };
let keyA: TestKey;
let keyB: TestKey;
beforeAll(() => {
  const s = new TerraformStack(Testing.app(), 's');
  new AzureSecureApiPlatform(s, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: { 'orders-v1': { packagePath: ORDERS_BACKEND_PACKAGE } }, enforceCompliance: false });
  out = JSON.parse(Testing.synth(s)) as { resource: Res };
  keyA = rsaKey('k1');
  keyB = rsaKey('k1');
});

describe('API Management: each issuer\'s validate-jwt requires one of its own tenants', () => {
  const parser = new XMLParser({ ignoreAttributes: false });
  const findAll = (node: unknown, name: string): any[] => {
    if (Array.isArray(node)) return node.flatMap((n) => findAll(n, name));
    if (node === null || typeof node !== 'object') return [];
    return Object.entries(node).flatMap(([k, v]) => (k === name ? (Array.isArray(v) ? v : [v]) : findAll(v, name)));
  };

  test('the API policy binds issuer a to acme and issuer b to globex', () => {
    const policies = Object.values(out.resource.azurerm_api_management_api_policy);
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) {
      const jwts = findAll(parser.parse(p.xml_content as string).policies.inbound, 'validate-jwt');
      const bound = Object.fromEntries(jwts.map((j) => [j.issuers.issuer, j['required-claims'].claim]));
      expect(bound).toEqual({
        [A]: { '@_name': 'tenant_id', '@_match': 'any', 'value': 'acme' },
        [B]: { '@_name': 'tenant_id', '@_match': 'any', 'value': 'globex' },
      });
    }
  });
});

describe('the authorizer function with the configuration synthesized into its app settings', () => {
  const synthesizedConfig = (): AuthorizerConfig => {
    const apps = Object.values(out.resource.azurerm_function_app_flex_consumption)
      .map((a) => a.app_settings as Record<string, string>)
      .filter((s) => s?.[AZURE_AUTHORIZER_ENV.config] !== undefined);
    expect(apps.length).toBeGreaterThan(0);
    return JSON.parse(apps[0][AZURE_AUTHORIZER_ENV.config]) as AuthorizerConfig;
  };

  function handler() {
    const config = synthesizedConfig();
    const log = new LogCapture();
    const store = new MemoryAuthorizerStore();
    for (const tenantId of ['acme', 'globex']) store.tenants.set(tenantId, { tenantId, disabled: false });
    // Only the network is replaced: each issuer's JWKS URI (as synthesized) answers with that issuer's key.
    const jwks = new Map(config.issuers.map((i) => [i.jwksUri!, i.issuer === A ? keyA : keyB]));
    const h = createAzureAuthorizerHandler(config, {
      log: log.sink,
      stores: { apiKeys: store, revocations: store, tenants: store },
      jwksFetcher: async (uri) => {
        const key = jwks.get(uri);
        if (!key) throw new Error(`unexpected JWKS URI ${uri}`);
        return Buffer.from(JSON.stringify({ keys: [key.publicJwk] }));
      },
    });
    const call = async (token: string) => {
      const res = await invoke(h, JSON.stringify(apimBody(event({ headers: { Authorization: `Bearer ${token}` } }))));
      return { status: res.status, body: res.jsonBody as Record<string, string> };
    };
    return { call, log };
  }
  const token = (key: TestKey, iss: string, tenant: string) => signJwt(key, claims(iss, { aud: 'api://orders', tenant_id: tenant }));

  test('the synthesized configuration carries each issuer\'s tenants', () => {
    expect(synthesizedConfig().issuers.map((i) => [i.issuer, i.tenants])).toEqual([[A, ['acme']], [B, ['globex']]]);
  });

  test('a token of issuer A claiming issuer B\'s tenant is refused; each issuer\'s own tenant passes, with an issuer-qualified principal', async () => {
    const { call, log } = handler();
    expect((await call(token(keyA, A, 'globex'))).status).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.INVALID_TENANT, issuer: A });
    expect((await call(token(keyB, B, 'acme'))).status).toBe(401);
    expect(log.last).toMatchObject({ Decision: 'deny', Reason: Reason.INVALID_TENANT, issuer: B });

    const a = await call(token(keyA, A, 'acme'));
    const b = await call(token(keyB, B, 'globex'));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body[AZURE_AUTHZ_RESPONSE.tenantId]).toBe('acme');
    expect(b.body[AZURE_AUTHZ_RESPONSE.tenantId]).toBe('globex');
    // The same subject at two issuers is two principals.
    expect(a.body[AZURE_AUTHZ_RESPONSE.principalId]).toContain(A);
    expect(b.body[AZURE_AUTHZ_RESPONSE.principalId]).toContain(B);
    expect(a.body[AZURE_AUTHZ_RESPONSE.principalId]).not.toBe(b.body[AZURE_AUTHZ_RESPONSE.principalId]);
  });
});
