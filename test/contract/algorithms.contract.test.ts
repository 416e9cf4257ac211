// Signature algorithms across the seams (one list: SIGNATURE_ALGORITHMS in the identity contract). On AWS, a spec whose
// external issuer signs with PS256 synthesizes, and the authorizer as deployed (the bundled code of the cloud assembly,
// with the configuration read from its asset the way the function reads it) accepts a PS256 token signed by jose. On
// Azure, API Management pre-validates exactly the algorithms it documents (PS256, RS256, RS512), and the authorizer
// function, with the configuration synthesized into its app settings, verifies the rest (PS384 here).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Testing, TerraformStack } from 'cdktf';
import { XMLParser } from 'fast-xml-parser';
import { assetOf, authorizerConfigOf, authorizerFunctionOf, loadAuthorizer } from './platform';
import { SecureApiPlatform } from '../../constructs/aws';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { MemoryAuthorizerStore } from '../../lib/authorizer';
import type { AuthorizerConfig } from '../../lib/authorizer';
import { AZURE_AUTHORIZER_ENV } from '../../lib/authorizer/adapters/azure-contract';
import { createAzureAuthorizerHandler } from '../../lib/authorizer/adapters/azure-function';
import { PlatformSpec } from '../../lib/spec';
import { bearer, claims, event, outcome } from '../authorizer/helpers';
import { apimBody, invoke } from '../azure/function-runtime';
import { AZURE_BACKEND_PACKAGE, azureSpec } from '../fixtures/azure-spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { JoseSigner, startJoseSigner } from '../support/jose';

// A loopback issuer: loading the bundle runs the function's init, which prefetches the configured JWKS as Lambda's init
// does; that connection is refused on this machine (the tests' own fetcher serves the keys).
const ISSUER = 'https://127.0.0.1:9/partner';
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
let jose: JoseSigner;
let jwk: Record<string, unknown>;

beforeAll(async () => {
  jose = startJoseSigner();
  jwk = await jose.rsaKey('partner-1');
});
afterAll(() => jose?.stop());

/** The tenant record and the issuer's JWKS: the only things outside the rendered configuration and the bundled code. */
function dependencies() {
  const store = new MemoryAuthorizerStore();
  store.tenants.set('acme', { tenantId: 'acme', disabled: false });
  return {
    stores: { apiKeys: store, revocations: store, tenants: store },
    log: () => undefined,
    jwksFetcher: async (uri: string) => {
      if (uri !== JWKS_URI) throw new Error(`unexpected JWKS URI ${uri}`);
      return Buffer.from(JSON.stringify({ keys: [jwk] }));
    },
  };
}

describe('AWS: an issuer signing with PS256', () => {
  const raw = fixtureSpec('aws', { lean: true });
  const spec: PlatformSpec = {
    ...raw,
    // The partner's issuer only (no user pool): its entry reaches the authorizer through the spec alone.
    identity: { issuers: [{ name: 'partner', issuer: ISSUER, jwksUri: JWKS_URI, audience: ['api://orders'], algorithms: ['PS256'] }] },
  };
  let outdir: string;
  let regional: Parameters<typeof authorizerFunctionOf>[1];
  let fn: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'contract-algorithms-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    new SecureApiPlatform(app, 'P', { spec, backends: { orders: SecureApiPlatform.lambdaBackend(join(__dirname, '..', '..', 'assets', 'orders-backend')) } });
    const assembly = app.synth();
    regional = assembly.getStackByName(`P-Region-${spec.regions.primary}`).template;
    fn = authorizerFunctionOf(outdir, regional);
  }, 180_000);

  test('synthesizes, and the deployed authorizer accepts a PS256 token signed by jose', async () => {
    const config: AuthorizerConfig = authorizerConfigOf(outdir, regional, fn, { region: spec.regions.primary, account: '123456789012' });
    expect(config.issuers.map((i) => i.issuer)).toEqual([ISSUER]);
    expect(config.issuers.find((i) => i.issuer === ISSUER)?.algorithms).toEqual(['PS256']);
    const { createAuthorizer } = loadAuthorizer(assetOf({ outdir, templates: {}, messages: {} }, regional, fn));
    const authorize = createAuthorizer(config, dependencies());
    const token = await jose.sign('partner-1', 'PS256', claims(ISSUER, { aud: 'api://orders', scope: 'orders:read' }));
    expect((await outcome(authorize(bearer(token, { resource: '/orders/{id}', path: '/orders/42' })))).status).toBe(200);
    // The issuer allows PS256 only: the same key's RS256 token is refused.
    const rs = await jose.sign('partner-1', 'RS256', claims(ISSUER, { aud: 'api://orders' }));
    expect((await outcome(authorize(bearer(rs)))).status).toBe(401);
  });
});

describe('Azure: an issuer signing with PS256 and PS384', () => {
  let out: { resource: Record<string, Record<string, Record<string, any>>> };
  beforeAll(() => {
    const s = new TerraformStack(Testing.app(), 's');
    const spec = azureSpec([{ name: 'partner', issuer: ISSUER, jwksUri: JWKS_URI, audience: ['api://orders'], algorithms: ['PS256', 'PS384'] }]);
    new AzureSecureApiPlatform(s, 'P', { spec, publisherEmail: 'a@example.com', backendPackages: { 'orders-v1': { packagePath: AZURE_BACKEND_PACKAGE } }, enforceCompliance: false });
    out = JSON.parse(Testing.synth(s));
  });

  test('API Management validates the issuer\'s PS256 tokens itself, and leaves PS384 to the function', () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    const findAll = (node: unknown, name: string): any[] => {
      if (Array.isArray(node)) return node.flatMap((n) => findAll(n, name));
      if (node === null || typeof node !== 'object') return [];
      return Object.entries(node).flatMap(([k, v]) => (k === name ? (Array.isArray(v) ? v : [v]) : findAll(v, name)));
    };
    const policies = Object.values(out.resource.azurerm_api_management_api_policy).map((p) => p.xml_content as string);
    expect(policies.length).toBeGreaterThan(0);
    for (const xml of policies) {
      const whens = findAll(parser.parse(xml).policies.inbound, 'when').filter((w) => w['validate-jwt']);
      expect(whens).toHaveLength(1);
      const [when] = whens;
      expect(when['validate-jwt'].issuers.issuer).toBe(ISSUER);
      expect(when['@_condition']).toContain('(string)context.Variables["tokenAlg"] == "PS256"');
      expect(when['@_condition']).not.toContain('PS384');
    }
  });

  test('the authorizer function, configured from its app settings, accepts PS384 and PS256 tokens signed by jose', async () => {
    const settings = Object.values(out.resource.azurerm_function_app_flex_consumption)
      .map((a) => a.app_settings as Record<string, string>).find((s) => s?.[AZURE_AUTHORIZER_ENV.config] !== undefined)!;
    const handler = createAzureAuthorizerHandler(JSON.parse(settings[AZURE_AUTHORIZER_ENV.config]) as AuthorizerConfig, dependencies());
    for (const alg of ['PS384', 'PS256']) {
      const token = await jose.sign('partner-1', alg, claims(ISSUER, { aud: 'api://orders' }));
      const res = await invoke(handler, JSON.stringify(apimBody(event({ headers: { Authorization: `Bearer ${token}` } }))));
      expect([alg, res.status]).toEqual([alg, 200]);
    }
  });
});
