// The 1,000-route portfolio (4 APIs × 250 routes, two regions, every compliance pack) synthesized once; the
// assertions read the cloud assembly it writes, and the bundled authorizer runs from the asset folder in cdk.out.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildPortfolioApp, portfolioSpec } from '../../examples/portfolio/app';
import { CONFIG_FILE, DEPLOY_VALUES_ENV, type ConfigFile } from '../../lib/authorizer/config-source';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';
import { authorizerConfigs } from '../../lib/cli/cdk-out';
import { apiRouteLayout, DEPLOY_LIMITS, regionalStackFloor } from '../../lib/spec';
import { createTable, startDynalite } from '../support/dynalite';
import { runBundledHandler } from '../support/run-bundled';

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Parameters?: Record<string, { Type: string; Default?: string }> };

const outdir = mkdtempSync(join(tmpdir(), 'portfolio-'));
const templates: Record<string, TemplateJson> = {};
const sizes: Record<string, number> = {};

beforeAll(() => {
  // CDK's own template validation off (most of the synth time; the example app's tests run it): every pack still runs.
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  buildPortfolioApp(app);
  app.synth();
  for (const f of readdirSync(outdir).filter((n) => n.endsWith('.template.json'))) {
    const text = readFileSync(join(outdir, f), 'utf8');
    templates[f] = JSON.parse(text) as TemplateJson;
    sizes[f] = Buffer.byteLength(text);
  }
}, 900_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (t: TemplateJson, type: string): Array<[string, Resource]> => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const regionTemplate = (region: string): TemplateJson => templates[`Portfolio-Region-${region}.template.json`];
const nestedOf = (region: string): TemplateJson[] => Object.entries(templates)
  .filter(([f]) => f.startsWith(`PortfolioRegion${region.replace(/-/g, '')}`) && f.endsWith('.nested.template.json')).map(([, t]) => t);

test('every stack, nested ones included, stays under 500 resources and 1 MB', () => {
  expect(Object.keys(templates).length).toBeGreaterThan(8);
  for (const [file, t] of Object.entries(templates)) {
    expect([file, Object.keys(t.Resources).length < DEPLOY_LIMITS.resourcesPerStack]).toEqual([file, true]);
    expect([file, sizes[file] < DEPLOY_LIMITS.templateBytes]).toEqual([file, true]);
  }
});

describe.each(['eu-west-1', 'eu-central-1'])('region %s', (region) => {
  test('1,000 routes: every method in the nested stacks, one Deployment per API depending on its nested stacks', () => {
    const parent = regionTemplate(region);
    const nested = nestedOf(region);
    const methods = nested.flatMap((t) => ofType(t, 'AWS::ApiGateway::Method')).filter(([, m]) => m.Properties!.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(1000);
    expect(ofType(parent, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties!.HttpMethod !== 'OPTIONS')).toHaveLength(0);
    // Authorized by the API's one authorizer, passed by id into the nested stack.
    expect(methods.every(([, m]) => m.Properties!.AuthorizationType === 'CUSTOM' && m.Properties!.AuthorizerId?.Ref)).toBe(true);

    const deployments = ofType(parent, 'AWS::ApiGateway::Deployment');
    expect(deployments).toHaveLength(4);
    expect(nested.flatMap((t) => ofType(t, 'AWS::ApiGateway::Deployment'))).toHaveLength(0);
    const stacks = ofType(parent, 'AWS::CloudFormation::Stack').map(([id]) => id);
    expect(stacks.length).toBe(nested.length);
    // Each nested stack of routes is awaited by exactly one Deployment, and each Deployment awaits at least one.
    for (const id of stacks) expect(deployments.filter(([, d]) => d.DependsOn?.includes(id))).toHaveLength(1);
    for (const [, d] of deployments) expect(stacks.some((id) => d.DependsOn?.includes(id))).toBe(true);
  });

  test('one invoke permission per API on its backend, none per method', () => {
    const parent = regionTemplate(region);
    const nested = nestedOf(region);
    expect(nested.flatMap((t) => ofType(t, 'AWS::Lambda::Permission'))).toHaveLength(0);
    const backends = ofType(parent, 'AWS::Lambda::Function').map(([id]) => id).filter((id) => id.startsWith('Backend'));
    expect(backends).toHaveLength(4);
    for (const fn of backends) {
      const grants = ofType(parent, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties!.FunctionName).includes(`"${fn}"`));
      expect(grants).toHaveLength(1);
      // Every method and stage of that one API: arn:...:execute-api:<region>:<account>:<api id>/*/*/*
      expect(JSON.stringify(grants[0][1].Properties!.SourceArn)).toMatch(/\/\*\/\*\/\*"/);
    }
  });

  test('the spec validation\'s floor of the regional stack is below its real resource count (its refusals are sure)', () => {
    const spec = portfolioSpec();
    const floor = regionalStackFloor(spec.apis.map((a) => apiRouteLayout(a.routes, true)));
    expect(floor).toBeLessThanOrEqual(Object.keys(regionTemplate(region).Resources).length);
  });

  test('authorizers: the configuration is in the asset, the environment holds only deploy-time values, under 4 KB', () => {
    const authorizers = ofType(regionTemplate(region), 'AWS::Lambda::Function').filter(([, f]) => f.Properties!.Environment?.Variables?.[DEPLOY_VALUES_ENV]);
    expect(authorizers).toHaveLength(4);
    for (const [, fn] of authorizers) {
      const variables = fn.Properties!.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables).sort()).toEqual([DEPLOY_VALUES_ENV, 'NODE_OPTIONS']);
      // The unresolved intrinsics are longer than the values CloudFormation puts in their place.
      expect(Buffer.byteLength(JSON.stringify(variables))).toBeLessThan(DEPLOY_LIMITS.lambdaEnvironmentBytes);
      const file = JSON.parse(readFileSync(join(assetDir(fn), CONFIG_FILE), 'utf8')) as ConfigFile;
      expect(Object.keys(file.config.routes)).toHaveLength(250);
      expect(file.deployTime.length).toBeGreaterThan(0);
    }
  });
});

function assetDir(fn: Resource): string {
  const key = fn.Properties!.Code.S3Key as string;
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

/** What CloudFormation would render: SSM parameters by name, Fn::Join / Fn::Select / Fn::Split. */
function render(node: unknown, t: TemplateJson, ssm: Record<string, string>): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) return node.map((n) => render(n, t, ssm));
  const [name, arg] = Object.entries(node as Record<string, any>)[0];
  if (name === 'Ref') return ssm[t.Parameters![arg as string].Default!];
  if (name === 'Fn::Join') return (render(arg[1], t, ssm) as string[]).join(arg[0] as string);
  if (name === 'Fn::Split') return (render(arg[1], t, ssm) as string).split(arg[0] as string);
  if (name === 'Fn::Select') return (render(arg[1], t, ssm) as string[])[arg[0] as number];
  throw new Error(`no rendering of ${name}`);
}

test('the bundled authorizer decides from the configuration in its cdk.out asset and its deploy-time environment', async () => {
  const t = regionTemplate('eu-central-1');
  const [, fn] = ofType(t, 'AWS::Lambda::Function').find(([, f]) => f.Properties!.Environment?.Variables?.[DEPLOY_VALUES_ENV]
    && statSync(join(assetDir(f), CONFIG_FILE)).isFile()
    && (JSON.parse(readFileSync(join(assetDir(f), CONFIG_FILE), 'utf8')) as ConfigFile).config.routes['GET /catalog-c37/{id}'] !== undefined)!;
  const deployValues = render(fn.Properties!.Environment.Variables[DEPLOY_VALUES_ENV], t, {
    '/portfolio/identity/user-pool-id': 'eu-west-1_Portf0lio',
    '/portfolio/identity/client-ids': 'client-batch',
  }) as string;
  expect(JSON.parse(deployValues)).toEqual(expect.arrayContaining(['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Portf0lio', 'client-batch']));

  const tableName = (JSON.parse(readFileSync(join(assetDir(fn), CONFIG_FILE), 'utf8')) as ConfigFile).config.tableName!;
  const db = await startDynalite();
  try {
    await createTable(db.client, tableName, 'pk', 'sk');
    const store = new DynamoDbAuthorizerStore({ tableName, client: db.client });
    await store.putTenant({ tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    await store.putApiKey({ apiKey: 'k'.repeat(40), keyId: 'key-1', tenantId: 'acme', scopes: ['catalog:read'] });
    const request = (method: string, resource: string, headers: Record<string, string>) => ({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/v1/${method}${resource}`,
      resource,
      path: resource,
      httpMethod: method,
      headers,
      multiValueHeaders: {},
      pathParameters: {},
      requestContext: { requestId: `r-${method}`, identity: { sourceIp: '203.0.113.7' } },
    });
    const key = { 'x-api-key': 'k'.repeat(40) };
    const { outcomes, reasons } = await runBundledHandler(assetDir(fn), [
      request('GET', '/catalog-c37/{id}', key),
      request('DELETE', '/catalog-c37/{id}', key),
      request('GET', '/catalog-c99/{id}', key),
      request('GET', '/catalog-c01', {}),
    ], {
      [DEPLOY_VALUES_ENV]: deployValues,
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    expect(outcomes).toEqual(['Allow:acme:meter-acme', 'Deny', 'Deny', 'throw:Unauthorized']);
    expect(reasons).toEqual(['allowed', 'insufficient_scope', 'route_not_listed', 'no_credentials']);
  } finally {
    await db.stop();
  }
}, 60_000);

test('the operators\' CLI reads every authorizer configuration back from the assembly (asset file + deploy-time values)', () => {
  const found = authorizerConfigs(outdir);
  expect(found.map((f) => f.error)).toEqual(new Array(8).fill(undefined));
  for (const f of found) {
    expect(Object.keys(f.config!.routes)).toHaveLength(250);
    expect(f.config!.issuers[0].issuer).toMatch(/^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/\{\{resolved-at-deploy:/);
  }
});
