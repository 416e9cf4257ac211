// A large API's routes in nested stacks: resources, methods and models there, the REST API, its authorizer and its one
// Deployment in the API's stack, one invoke permission for the whole API.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { SecureRestApi, SecureRestApiProps } from '../../constructs/aws/gateway';
import { Compliance, EvidenceBundle, REPORT_DIR, REPORT_FILES } from '../../lib/compliance';
import { sourcesFromAssembly } from '../../lib/compliance/report/render';
import { CREATION_STACK_METADATA } from '../../lib/compliance/report/sources';
import { PlatformValidationError } from '../../lib/errors';
import { PlatformSpec, resolveSpec, RouteSpec } from '../../lib/spec';
import { assemblyDir } from '../compliance/reports-helpers';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings } from '../support/nag';

const body = { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } };
function collection(n: number, prefix = ''): RouteSpec[] {
  const p = `${prefix}/c${String(n).padStart(2, '0')}`;
  return [
    { method: 'GET', path: p, scopes: ['things:read'] },
    { method: 'POST', path: p, scopes: ['things:write'], body },
    { method: 'GET', path: `${p}/{id}`, scopes: ['things:read'] },
    { method: 'PUT', path: `${p}/{id}`, scopes: ['things:write'], body },
    { method: 'DELETE', path: `${p}/{id}`, scopes: ['things:write'] },
  ];
}
function specWith(routes: RouteSpec[]): PlatformSpec {
  const base = fixtureSpec('aws', { lean: true });
  return {
    ...base,
    identity: { issuers: base.identity.issuers },
    apis: [{ name: 'things', version: 'v1', scopes: { 'things:read': 'Read', 'things:write': 'Write' }, backend: { kind: 'lambda' }, routes }],
  };
}
type Built = { stack: Stack; api: SecureRestApi; backend: lambda.Function };
function build(
  routes: RouteSpec[], backendSetup?: (fn: lambda.Function) => void, props: Partial<SecureRestApiProps> = {}, context: Record<string, unknown> = {},
): Built {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false, context }), 'Routes', { env: { account: '111111111111', region: 'eu-west-1' } });
  const backend = new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  backendSetup?.(backend);
  const api = new SecureRestApi(stack, 'Things', { spec: resolveSpec(specWith(routes)), api: 'things', backend, ...props });
  return { stack, api, backend };
}
const count = (t: Template, type: string): number => Object.keys(t.findResources(type)).length;

describe('an API of 250 routes under one /api prefix', () => {
  const routes = [{ method: 'GET' as const, path: '/api', scopes: ['things:read'] }, ...Array.from({ length: 50 }, (_, i) => collection(i + 1, '/api')).flat()];
  const { stack, api } = build(routes);
  const parent = Template.fromStack(stack);
  const nested = api.routeStacks.stacks.map((s) => Template.fromStack(s));

  test('the methods are in nested stacks under the budget; the /api resource and its method stay in the API stack', () => {
    expect(nested.length).toBeGreaterThan(1);
    const methods = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS').length;
    expect(nested.reduce((n, t) => n + methods(t), 0)).toBe(250);
    expect(methods(parent)).toBe(1);
    expect(Object.values(parent.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart)).toEqual(['api']);
    for (const t of nested) expect(Object.keys(t.toJSON().Resources).length).toBeLessThan(500);
    // The collections hang from the /api resource, passed in by id.
    for (const t of nested) {
      const parents = Object.values(t.findResources('AWS::ApiGateway::Resource')).filter((r) => /^c\d+$/.test(r.Properties.PathPart)).map((r) => JSON.stringify(r.Properties.ParentId));
      expect(new Set(parents).size).toBe(1);
      expect(parents[0]).toMatch(/"Ref":"referenceto/);
    }
  });

  test('one Deployment, in the API stack, waits for every nested stack', () => {
    expect(count(parent, 'AWS::ApiGateway::Deployment')).toBe(1);
    for (const t of nested) expect(count(t, 'AWS::ApiGateway::Deployment')).toBe(0);
    const [deployment] = Object.values(parent.findResources('AWS::ApiGateway::Deployment'));
    const stacks = Object.keys(parent.findResources('AWS::CloudFormation::Stack'));
    expect(stacks).toHaveLength(nested.length);
    for (const id of stacks) expect(deployment.DependsOn).toContain(id);
  });

  test('one invoke permission for the whole API, none per method', () => {
    for (const t of nested) expect(count(t, 'AWS::Lambda::Permission')).toBe(0);
    const grants = Object.values(parent.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes('Backend'));
    expect(grants).toHaveLength(1);
    expect(JSON.stringify(grants[0].Properties.SourceArn)).toMatch(/\/\*\/\*\/\*"\]\]\}$/);
  });

  test('the nested stacks are clean under every pack', () => {
    const findings = nagFindings(stack).filter((f) => f.includes('/Routes'));
    expect(findings).toEqual([]);
  });
});

test('a change of a route in a nested stack changes the Deployment (the stage is redeployed)', () => {
  const logicalIds = (routes: RouteSpec[]) => Object.keys(Template.fromStack(build(routes).stack).findResources('AWS::ApiGateway::Deployment'));
  const routes = Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat();
  const changed = routes.map((r, i) => (i === 37 ? { ...r, timeoutMs: 3000 } : r));
  expect(NestedStack.isNestedStack(build(routes).api.routeStacks.stacks[0])).toBe(true);
  expect(logicalIds(routes)).toEqual(logicalIds(routes));
  expect(logicalIds(changed)).not.toEqual(logicalIds(routes));
});

describe('an API whose every route is in a nested stack, with CDK\'s authorizer-change-redeploys flag', () => {
  const routes = Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat();
  const deployment = (ttlSeconds: number) => {
    const flag = { [cxapi.APIGATEWAY_AUTHORIZER_CHANGE_DEPLOYMENT_LOGICAL_ID]: true };
    const { stack, api } = build(routes, undefined, { authorizerCacheTtl: Duration.seconds(ttlSeconds) }, flag);
    const t = Template.fromStack(stack);
    const [id, resource] = Object.entries(t.findResources('AWS::ApiGateway::Deployment'))[0];
    return { id, dependsOn: resource.DependsOn as string[], t, api, stack };
  };

  test('its methods name the API\'s authorizer, which is bound to the API', () => {
    const { t, api, stack } = deployment(30);
    expect(api.routeStacks.stacks.length).toBeGreaterThan(0);
    const [authorizerId] = Object.keys(t.findResources('AWS::ApiGateway::Authorizer'));
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { RestApiId: { Ref: stack.getLogicalId(api.api.node.defaultChild as import('aws-cdk-lib').CfnElement) } });
    const nested = Template.fromStack(api.routeStacks.stacks[0]);
    const methods = Object.values(nested.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods.length).toBeGreaterThan(0);
    const params = new Set(methods.map((m) => m.Properties.AuthorizerId.Ref as string));
    expect(params.size).toBe(1);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('CUSTOM');
    // The nested stack's parameter is the parent's authorizer.
    const [param] = params;
    t.hasResourceProperties('AWS::CloudFormation::Stack', { Parameters: { [param]: { Ref: authorizerId } } });
  });

  test('the Deployment waits for the authorizer', () => {
    const { dependsOn, t } = deployment(30);
    expect(dependsOn).toEqual(expect.arrayContaining(Object.keys(t.findResources('AWS::ApiGateway::Authorizer'))));
  });

  test('a change of the authorizer alone changes the Deployment (the stage is redeployed)', () => {
    expect(deployment(30).id).toEqual(deployment(30).id);
    expect(deployment(10).id).not.toEqual(deployment(30).id);
  });
});

describe('a nested stack of routes allocates each logical id once', () => {
  type Allocate = { allocateLogicalId: (element: CfnElement) => string };
  const routes = Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat();

  test('however often the synth resolves references to an element, its id is allocated once, and the template is the same', () => {
    const allocate = jest.spyOn(NestedStack.prototype as unknown as Allocate, 'allocateLogicalId');
    try {
      const { api } = build(routes);
      const templates = api.routeStacks.stacks.map((s) => Template.fromStack(s).toJSON());
      const calls = new Map<CfnElement, number>();
      for (const [element] of allocate.mock.calls) calls.set(element, (calls.get(element) ?? 0) + 1);
      const inRouteStacks = [...calls].filter(([e]) => api.routeStacks.stacks.includes(Stack.of(e) as NestedStack));
      expect(inRouteStacks.length).toBeGreaterThan(100);
      expect(Math.max(...inRouteStacks.map(([, n]) => n))).toBe(1);
      // The ids CDK gives: a method's is its path, hashed.
      const method = api.methods['GET /c01/{id}'].node.defaultChild as CfnElement;
      expect(Object.keys(templates[0].Resources)).toContain(Stack.of(method).resolve(method.logicalId));
      expect(Stack.of(method).resolve(method.logicalId)).toMatch(/^Apic01idGET[0-9A-F]{8}$/);
    } finally {
      allocate.mockRestore();
    }
  });

  test('renameLogicalId and overrideLogicalId still apply', () => {
    const first = build(routes).api;
    const method = (api: SecureRestApi, key: string): CfnElement => api.methods[key].node.defaultChild as CfnElement;
    const renamed = Stack.of(method(first, 'GET /c01')).resolve(method(first, 'GET /c01').logicalId) as string;
    const { api } = build(routes);
    const routeStack = Stack.of(method(api, 'GET /c01'));
    routeStack.renameLogicalId(renamed, 'RenamedMethod');
    method(api, 'PUT /c01/{id}').overrideLogicalId('OverriddenMethod');
    const ids = Object.keys(Template.fromStack(routeStack).toJSON().Resources);
    expect(ids).toEqual(expect.arrayContaining(['RenamedMethod', 'OverriddenMethod']));
    expect(ids).not.toContain(renamed);
  });
});

describe('a nested stack of routes renders its template once and records no creation stack per resource', () => {
  type Render = { _toCloudFormation: () => unknown };
  const routes = Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat();

  test('one render per nested stack (the asset hash\'s), written as rendered: the file matches a fresh render and the hash', () => {
    const render = jest.spyOn(Stack.prototype as unknown as Render, '_toCloudFormation');
    try {
      const { stack, api } = build(routes);
      const assembly = (stack.node.root as App).synth();
      const renders = new Map<unknown, number>();
      for (const self of render.mock.contexts) renders.set(self, (renders.get(self) ?? 0) + 1);
      expect(api.routeStacks.stacks.length).toBeGreaterThan(0);
      for (const nested of api.routeStacks.stacks) {
        expect(renders.get(nested)).toBe(1);
        const written = JSON.parse(readFileSync(join(assembly.directory, nested.templateFile), 'utf8')) as unknown;
        expect(written).toEqual((nested as unknown as Render)._toCloudFormation());
        // The parent deploys the file under the hash of that render.
        const hash = createHash('sha256').update(JSON.stringify(written)).digest('hex');
        expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain(hash);
      }
    } finally {
      render.mockRestore();
    }
  });

  test('resources in the nested stacks carry no creation stack; those of the API\'s stack and the nested stacks themselves do', () => {
    const { stack, api } = build(routes);
    const hasCreationStack = (c: IConstruct): boolean => c.node.metadata.some((m) => m.type === CREATION_STACK_METADATA);
    const inRouteStacks = api.routeStacks.stacks.flatMap((s) => s.node.findAll().filter((c) => c instanceof CfnElement && Stack.of(c) === s));
    expect(inRouteStacks.length).toBeGreaterThan(100);
    expect(inRouteStacks.filter(hasCreationStack)).toEqual([]);
    for (const s of api.routeStacks.stacks) expect(hasCreationStack(s)).toBe(true);
    expect(hasCreationStack(api.api.node.defaultChild as CfnElement)).toBe(true);
    expect(stack.node.findAll().filter((c) => c instanceof CfnElement && Stack.of(c) === stack).every(hasCreationStack)).toBe(true);
  });

  test('CDK_DEBUG turns them on again', () => {
    const before = process.env.CDK_DEBUG;
    process.env.CDK_DEBUG = 'true';
    try {
      const { api } = build(routes);
      const method = api.methods['GET /c01/{id}'].node.defaultChild as CfnElement;
      expect(method.node.metadata.some((m) => m.type === CREATION_STACK_METADATA)).toBe(true);
    } finally {
      if (before === undefined) delete process.env.CDK_DEBUG;
      else process.env.CDK_DEBUG = before;
    }
  });
});

test('the evidence gives a route resource of a nested stack the source line that created its nested stack, in memory and from the assembly', () => {
  const outdir = assemblyDir('route-sources-');
  try {
    const app = new App({ builtinCloudFormationValidation: false, outdir });
    const stack = new Stack(app, 'Routes', { env: { account: '111111111111', region: 'eu-west-1' } });
    const backend = new lambda.Function(stack, 'Backend', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
    const api = new SecureRestApi(stack, 'Things', { spec: resolveSpec(specWith(Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat())), api: 'things', backend });
    Compliance.enforce(app, { profiles: ['AWS_SOLUTIONS'], printVerdict: false });
    try {
      app.synth();
    } catch {
      // Findings of the bare fixture fail the synth; the evidence is written before.
    }
    const evidence = JSON.parse(readFileSync(join(outdir, REPORT_DIR, REPORT_FILES.evidence), 'utf8')) as EvidenceBundle;
    const method = (api.methods['GET /c01/{id}'].node.defaultChild as CfnElement).node.path;
    expect(evidence.results.find((r) => r.constructPath === method && r.status === 'acknowledged')).toBeDefined();
    const line = readFileSync(join(__dirname, '..', '..', 'constructs', 'aws', 'gateway', 'route-stacks.ts'), 'utf8').split('\n').findIndex((l) => l.includes('new RouteNestedStack(')) + 1;
    expect(evidence.sources?.[method]).toMatchObject({ file: 'constructs/aws/gateway/route-stacks.ts', line });
    expect(sourcesFromAssembly(outdir, new Set([method]))).toEqual({ [method]: evidence.sources?.[method] });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('routes with the same body schema share one model in their stack; another schema gets its own', () => {
  const other = { type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } };
  const routes = [...Array.from({ length: 20 }, (_, i) => collection(i + 1)).flat(), { method: 'PATCH' as const, path: '/c01/{id}', scopes: ['things:write'], body: other }];
  for (const { api, stack } of [build(routes), build([...collection(1), routes[routes.length - 1]])]) {
    const templates = [stack, ...api.routeStacks.stacks].map((s) => Template.fromStack(s));
    const models = templates.flatMap((t) => Object.entries(t.findResources('AWS::ApiGateway::Model')));
    // One per schema in each stack that holds routes with it: no two models of one stack have the same schema.
    const perStack = templates.map((t) => Object.values(t.findResources('AWS::ApiGateway::Model')).map((m) => JSON.stringify(m.Properties.Schema)));
    for (const schemas of perStack) expect(new Set(schemas).size).toBe(schemas.length);
    expect(models.length).toBeLessThan(api.routes.filter((r) => r.body).length);
    const modelOf = (key: string): unknown => {
      const method = api.methods[key].node.defaultChild as CfnElement;
      type Methods = { Resources: Record<string, { Properties: { RequestModels?: Record<string, unknown> } }> };
      const t = Template.fromStack(Stack.of(method)).toJSON() as Methods;
      return t.Resources[Stack.of(method).resolve(method.logicalId) as string].Properties.RequestModels;
    };
    expect(modelOf('POST /c01')).toEqual(modelOf('PUT /c01/{id}'));
    expect(modelOf('POST /c01')).toEqual({ 'application/json': expect.anything(), '$default': expect.anything() });
    expect(modelOf('PATCH /c01/{id}')).not.toEqual(modelOf('PUT /c01/{id}'));
    const schemas = models.map(([, m]) => JSON.stringify(m.Properties.Schema));
    expect(schemas.filter((x) => x.includes('"size"'))).toHaveLength(1);
  }
});

test('a small API keeps its methods in its own stack (no nested stack)', () => {
  const { stack, api } = build(collection(1));
  expect(api.routeStacks.stacks).toEqual([]);
  expect(count(Template.fromStack(stack), 'AWS::ApiGateway::Method')).toBeGreaterThan(5);
});

test('a backend whose resource policy would pass 20 KB is refused at synth, naming the limit', () => {
  const fill = (fn: lambda.Function) => {
    for (let i = 0; i < 51; i++) fn.addPermission(`Other${i}`, { principal: new iam.ServicePrincipal('apigateway.amazonaws.com') });
  };
  expect(() => build(collection(1), fill)).toThrow(PlatformValidationError);
  expect(() => build(collection(1), fill)).toThrow(/52 permission statements \(about 20800 bytes\), over Lambda's limit of 20 KB per Lambda resource policy/);
  expect(() => build(collection(1), (fn) => fill(fn))).toThrow(/backend: Routes\/Backend/);
});
