// Identity seams at synth: each API's authorizer is rendered with its own scope prefix, one gateway authorizer per
// distinct cache TTL with the revocation bound printed, Cedar policies on actions no route produces refused, and the
// pool's pre-token-generation trigger wired at V3_0 with the table read it needs (and no more).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureRestApi } from '../../constructs/aws/gateway';
import { PlatformIdentity } from '../../constructs/aws/identity';
import { AuthorizerConfig, createAuthorizer, MemoryAuthorizerStore, Reason } from '../../lib/authorizer';
import FILES from '../../lib/authorizer/bundle-files.json';
import { CONFIG_FILE, readConfig } from '../../lib/authorizer/config-source';
import { PlatformSpec, resolveSpec, revocationBoundSeconds, REVOCATION_DEFAULTS } from '../../lib/spec';
import { bearer, claims, LogCapture, outcome, rsaKey, signJwt } from '../authorizer/helpers';
import { fixtureSpec } from '../fixtures/platform-spec';
import { testStack } from '../support/nag';

const raw = fixtureSpec('aws', { lean: true });

function twoApis(): PlatformSpec {
  return {
    ...raw,
    identity: { ...raw.identity, revocation: { gatewayCacheSeconds: 10 } },
    apis: [
      { ...raw.apis[0], routes: [...raw.apis[0].routes, { method: 'GET', path: '/orders', scopes: ['orders:read'], authorizerCacheSeconds: 0 }] },
      {
        name: 'billing',
        version: 'v1',
        scopes: { 'admin': 'Administer billing', 'orders:read': 'Read invoices of orders' },
        backend: { kind: 'lambda' },
        routes: [{ method: 'GET', path: '/invoices/{id}', scopes: ['admin'] }],
      },
    ],
  };
}

function api(spec: PlatformSpec, name: string, policies?: string) {
  const { stack } = testStack(`Api${name}`);
  const backend = lambda.Function.fromFunctionArn(stack, 'B', 'arn:aws:lambda:eu-west-1:111111111111:function:b');
  const table = dynamodb.TableV2.fromTableName(stack, 'Table', 'orders-platform');
  const issuers = [{ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x', jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x/.well-known/jwks.json', clientIds: ['c'], scopePrefixes: ['orders', 'billing'] }];
  const construct = new SecureRestApi(stack, 'Api', { spec: resolveSpec(spec), api: name, backend, table, issuers, policies });
  return { stack, construct, template: Template.fromStack(stack) };
}

/** The authorizer's code asset folder, as the assembly stages it: `asset.<hash>`, the hash its S3 key names. */
function authorizerAssetDir({ stack, template }: { stack: Stack; template: Template }): string {
  const outdir = (stack.node.root as App).outdir;
  const fns = template.findResources('AWS::Lambda::Function');
  const dirs = Object.values(fns).map((f) => join(outdir, `asset.${String(f.Properties?.Code?.S3Key).replace(/\.zip$/, '')}`));
  return dirs.filter((d) => existsSync(join(d, CONFIG_FILE)))[0];
}

/** The configuration the authorizer reads once deployed: its code asset's file, through the runtime's own reader. */
function renderedConfig(rendered: { stack: Stack; template: Template }): AuthorizerConfig {
  return readConfig({}, authorizerAssetDir(rendered));
}

describe('per-API scope prefix', () => {
  test('each API\'s authorizer accepts only its own resource server\'s prefix', () => {
    expect(renderedConfig(api(twoApis(), 'orders')).issuers[0].scopePrefixes).toEqual(['orders']);
    expect(renderedConfig(api(twoApis(), 'billing')).issuers[0].scopePrefixes).toEqual(['billing']);
  });
});

describe('a route that needs authentication but no scope', () => {
  const spec: PlatformSpec = { ...raw, apis: [{ ...raw.apis[0], routes: [...raw.apis[0].routes, { method: 'GET', path: '/whoami' }] }] };

  test('synthesizes; the deployed authorizer admits any authenticated caller there, and still refuses no credential and scoped routes without the scope', async () => {
    const rendered = api(spec, 'orders');
    const config = renderedConfig(rendered);
    expect(config.routes['GET /whoami']).toEqual({ scopes: [] });
    // The runtime fed with the rendered configuration; the issuer's JWKS served from memory, the stores in memory.
    const key = rsaKey('seam-1');
    const [issuer] = config.issuers;
    const store = new MemoryAuthorizerStore();
    store.tenants.set('acme', { tenantId: 'acme', disabled: false });
    const log = new LogCapture();
    const authorize = createAuthorizer(config, {
      log: log.sink,
      stores: { revocations: store, tenants: store },
      jwksFetcher: async () => Buffer.from(JSON.stringify({ keys: [key.publicJwk] })),
    });
    const noScope = signJwt(key, claims(issuer.issuer, { aud: undefined, client_id: issuer.clientIds?.[0], scope: undefined }));
    const whoami = { method: 'GET', resource: '/whoami', path: '/whoami', pathParameters: {} };
    expect((await outcome(authorize(bearer(noScope, whoami)))).status).toBe(200);
    expect((await outcome(authorize({ ...bearer(noScope, whoami), headers: {}, multiValueHeaders: {} }))).status).toBe(401);
    expect(log.last.Reason).toBe(Reason.NO_CREDENTIALS);
    expect((await outcome(authorize(bearer(noScope)))).status).toBe(403);
    expect(log.last.Reason).toBe(Reason.INSUFFICIENT_SCOPE);
  });
});

describe('authorizer cache TTL and the revocation bound', () => {
  test('defaults: 20 s gateway TTL, 25 s authorizer cache, bound 60 s, printed at synth', () => {
    const { template, construct, stack } = api(raw, 'orders');
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 20, IdentitySource: Match.stringLikeRegexp('^method\\.request\\.header\\.Authorization,') });
    expect(renderedConfig({ stack, template }).revocation).toEqual({ cacheSeconds: 25 });
    expect(construct.revocationBoundSeconds).toBe(60);
    expect(revocationBoundSeconds(REVOCATION_DEFAULTS)).toBe(60);
    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp('revocation bound of orders-orders-v1: 60 s = gateway cache 20 s \\+ authorizer cache 25 s \\+ replication budget 15 s'));
  });

  test('a route\'s own TTL gets an authorizer of its own; the bound follows the slowest route', () => {
    const { template, construct } = api(twoApis(), 'orders');
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 2);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 10 });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { AuthorizationType: 'CUSTOM' } });
    expect(new Set(Object.values(methods).map((m) => JSON.stringify(m.Properties.AuthorizerId))).size).toBe(2);
    expect(construct.revocationBoundSeconds).toBe(10 + 25 + 15);
  });

  test('spec errors: out-of-range delays, more than 10 distinct TTLs on one API', () => {
    expect(() => resolveSpec({ ...raw, identity: { ...raw.identity, revocation: { authorizerCacheSeconds: 301 } } }))
      .toThrow(/identity\.revocation\.authorizerCacheSeconds: must be a whole number from 0 to 300 \(received: 301\)/);
    const routes = Array.from({ length: 11 }, (_, i) => ({ method: 'GET' as const, path: `/r${i}`, authorizerCacheSeconds: i }));
    expect(() => resolveSpec({ ...raw, apis: [{ ...raw.apis[0], routes }] })).toThrow(/uses 11 distinct authorizerCacheSeconds values .*API Gateway allows 10 per API/);
  });
});

describe('Cedar actions', () => {
  test('a policy naming an action no route of any API produces is a synth error', () => {
    expect(() => api(twoApis(), 'orders', 'forbid (principal, action == Action::"DELETE /tenants/{tenantId}/orders/{id}", resource);'))
      .toThrow(/name actions no route of the spec produces \(received: Action::"DELETE \/tenants\/\{tenantId\}\/orders\/\{id\}"/);
    expect(() => api(twoApis(), 'orders', 'forbid (principal, action in [Action::"ANY /orders", Action::"GET /orders"], resource);'))
      .toThrow(/received: Action::"ANY \/orders"; routes: /);
  });

  test('a policy on another API\'s route is accepted (policies are shared by every API)', () => {
    expect(() => api(twoApis(), 'orders', 'permit (principal, action == Action::"GET /invoices/{id}", resource);')).not.toThrow();
  });
});

describe('the Cedar engine in the authorizer\'s code asset', () => {
  const compiled = 'permit (principal, action == Action::"GET /orders/{id}", resource) when { context.tenant == "acme" };';
  const fallback = `${compiled}\nforbid (principal, action, resource) when { decimal("1.5").lessThan(decimal("1.0")) };`;
  test.each([
    ['no policies', undefined, false, undefined],
    ['policies the compiled engine takes', compiled, false, 'compiled'],
    ['a policy set outside the compiled subset (decimal)', fallback, true, 'wasm'],
  ] as const)('%s: the engine ships only when the runtime needs it, and the bundled runtime decides from that asset', async (_name, policies, ships, engine) => {
    const rendered = api(raw, 'orders', policies);
    expect(rendered.construct.authorizerFunction?.cedarEngine).toBe(ships);
    const dir = authorizerAssetDir(rendered);
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    expect(existsSync(join(dir, FILES.cedarCompiled))).toBe(true);
    expect(existsSync(join(dir, FILES.cedarAdapter))).toBe(ships);
    expect(existsSync(join(dir, ...FILES.cedarEngine.split('/'), 'nodejs', 'cedar_wasm_bg.wasm'))).toBe(ships);
    // The code Lambda runs: the staged asset's files, copied without the configuration file (with it, requiring the
    // handler would start its init-phase JWKS fetch), driven with the configuration read from the asset.
    const config = readConfig({}, dir);
    const code = mkdtempSync(join(tmpdir(), 'authorizer-asset-'));
    cpSync(dir, code, { recursive: true, filter: (f) => !f.endsWith(CONFIG_FILE) });
    // eslint-disable-next-line @typescript-eslint/no-require-imports, security/detect-non-literal-require -- a copy of the test's own assembly
    const bundled = require(join(code, 'index.js')) as typeof import('../../lib/authorizer');
    const key = rsaKey('engine-1');
    const store = new MemoryAuthorizerStore();
    store.tenants.set('acme', { tenantId: 'acme', disabled: false });
    store.tenants.set('globex', { tenantId: 'globex', disabled: false });
    const log = new LogCapture();
    const authorize = bundled.createAuthorizer(config, {
      log: log.sink,
      stores: { revocations: store, tenants: store },
      jwksFetcher: async () => Buffer.from(JSON.stringify({ keys: [key.publicJwk] })),
    });
    expect(log.lines.find((l) => l.message === 'Cedar policies loaded')?.engine).toBe(engine);
    const token = (tenant: string): string => signJwt(key, claims(config.issuers[0].issuer, { aud: undefined, client_id: 'c', tenant_id: tenant, scope: 'orders/orders:read' }));
    expect((await outcome(authorize(bearer(token('acme'))))).status).toBe(200);
    expect((await outcome(authorize(bearer(token('globex'))))).status).toBe(policies === undefined ? 200 : 403);
    rmSync(code, { recursive: true, force: true });
  });
});

describe('PlatformIdentity trigger', () => {
  const { stack } = testStack('Identity');
  const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } });
  const identity = new PlatformIdentity(stack, 'Identity', { spec: resolveSpec(raw), table });
  const template = Template.fromStack(stack);

  test('one pre-token-generation trigger at V3_0 on the pool, with the tenant attribute declared', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [stack.getLogicalId(identity.tokenTrigger.function.node.defaultChild as lambda.CfnFunction), 'Arn'] }, LambdaVersion: 'V3_0' } },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenant_id', Mutable: true }), Match.objectLike({ Name: 'idp_tenant' }), Match.objectLike({ Name: 'idp_amr' })]),
    });
  });

  test('the trigger reads only the client records of the platform table', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'dynamodb:GetItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CLIENT#*'] } },
        })]),
      },
    });
  });
});
