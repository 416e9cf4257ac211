/**
 * The deployment contract harness: the example app synthesized into a cloud assembly, the values CloudFormation would
 * resolve at deploy time, API Gateway's authorizer behaviour modelled from the templates, and the bundled runtime code
 * (authorizer, pre-token-generation trigger) loaded from the assembly's own asset folders.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { DeployFacts, findResource, resolve, Template } from './intrinsics';
import { buildExampleApp } from '../../examples/aws/app';
import type * as AuthorizerModule from '../../lib/authorizer';
import { CONFIG_FILE, readConfig } from '../../lib/authorizer/config-source';
import type * as TriggerModule from '../../lib/triggers/pre-token-generation';

export const ACCOUNT = '123456789012';

export interface SynthesizedPlatform {
  readonly outdir: string;
  readonly templates: Record<string, Template>;
  /** Stack metadata messages (annotations) by stack name. */
  readonly messages: Record<string, string[]>;
}

/** Synthesizes the example app (full, or `lean=true`) into a fresh cloud assembly. */
export function synthExample(lean: boolean): SynthesizedPlatform {
  const outdir = mkdtempSync(path.join(tmpdir(), `contract-${lean ? 'lean' : 'full'}-`));
  const app = new App({ outdir, context: { 'lean': String(lean), 'allowPlaceholders': 'true', 'aws:cdk:enable-asset-metadata': true } });
  buildExampleApp(app);
  const assembly = app.synth();
  const templates: Record<string, Template> = {};
  const messages: Record<string, string[]> = {};
  for (const stack of assembly.stacks) {
    templates[stack.stackName] = stack.template as Template;
    messages[stack.stackName] = stack.messages.map((m) => String(m.entry.data));
  }
  return { outdir, templates, messages };
}

/** The asset folder of a Lambda function, from its `aws:asset:path` metadata in the assembly. */
export function assetOf(platform: SynthesizedPlatform, template: Template, functionId: string): string {
  const meta = (template.Resources[functionId] as { Metadata?: Record<string, string> }).Metadata;
  const asset = meta?.['aws:asset:path'];
  if (!asset) throw new Error(`${functionId} has no aws:asset:path metadata`);
  return path.join(platform.outdir, asset);
}

/** The authorizer function of a template: the one whose code asset carries the configuration file. */
export function authorizerFunctionOf(outdir: string, template: Template): string {
  const ids = Object.entries(template.Resources).filter(([, r]) => {
    const asset = (r as { Metadata?: Record<string, string> }).Metadata?.['aws:asset:path'];
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the test's own cloud assembly
    return r.Type === 'AWS::Lambda::Function' && asset !== undefined && existsSync(path.join(outdir, asset, CONFIG_FILE));
  }).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one authorizer function, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0];
}

/**
 * The authorizer's configuration as the deployed function reads it: the runtime's own `readConfig` over the asset's
 * configuration file and the environment CloudFormation renders (deploy-time values resolved from `facts`).
 */
export function authorizerConfigOf(outdir: string, template: Template, functionId: string, facts: DeployFacts): AuthorizerModule.AuthorizerConfig {
  const asset = (template.Resources[functionId] as { Metadata?: Record<string, string> }).Metadata?.['aws:asset:path'];
  if (!asset) throw new Error(`${functionId} has no aws:asset:path metadata`);
  return readConfig(environmentOf(template, functionId, facts), path.join(outdir, asset));
}

/** Environment variables of a function, resolved. */
export function environmentOf(template: Template, functionId: string, facts: DeployFacts): Record<string, string> {
  const env = (template.Resources[functionId].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return resolve(template, env, facts) as Record<string, string>;
}

/** The SSM parameters the global stack publishes in `region`: local `AWS::SSM::Parameter`s, or its cross-region writers. */
export function publishedParameters(global: Template, primaryRegion: string, region: string, facts: DeployFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of Object.values(global.Resources)) {
    if (region === primaryRegion && r.Type === 'AWS::SSM::Parameter') {
      const p = resolve(global, r.Properties, facts) as { Name: string; Value: string };
      out[p.Name] = p.Value;
    }
    if (r.Type === 'Custom::AWS' && r.Properties?.Create !== undefined) {
      type SdkCall = { action: string; region: string; parameters: { Name: string; Value: string } };
      const call = JSON.parse(resolve(global, r.Properties.Create, facts) as string) as SdkCall;
      if (call.action === 'putParameter' && call.region === region) out[call.parameters.Name] = call.parameters.Value;
    }
  }
  return out;
}

/** A request as a client sends it. */
export interface ClientRequest {
  readonly method: string;
  /** The request path below the stage, e.g. `/orders/42`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly sourceIp?: string;
}

export interface GatewayAnswer {
  readonly status: number;
  /** Whether the authorizer function was invoked for this request (false: refused by the gateway, or served from cache). */
  readonly invoked: boolean;
  readonly context?: Record<string, string>;
  readonly principalId?: string;
}

interface MethodModel {
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly authorizerId?: string;
}

interface AuthorizerModel {
  readonly identitySources: string[];
  readonly ttlSeconds: number;
  readonly functionId: string;
}

/**
 * API Gateway's REQUEST-authorizer behaviour for one REST API, from the template: the method's authorizer, a request
 * missing an identity source refused with 401 without a call, the identity sources' values as the cache key, and a
 * cached result reused for the authorizer's TTL.
 */
export class GatewayModel {
  readonly methods: MethodModel[] = [];
  readonly authorizers: Record<string, AuthorizerModel> = {};
  private readonly cache = new Map<string, { result: AuthorizerModule.AuthorizerResult | 'unauthorized'; until: number }>();

  constructor(
    template: Template,
    readonly restApiId: string,
    private readonly invoke: (functionId: string, event: AuthorizerModule.AuthorizerEvent) => Promise<AuthorizerModule.AuthorizerResult>,
    private readonly clockSeconds: () => number,
    private readonly region: string,
  ) {
    const resources = template.Resources;
    const pathOf = (ref: unknown): string => {
      const o = ref as Record<string, unknown>;
      if (o['Fn::GetAtt']) return '';
      const r = resources[o.Ref as string].Properties!;
      return `${pathOf(r.ParentId)}/${String(r.PathPart)}`;
    };
    for (const r of Object.values(resources)) {
      if (r.Type === 'AWS::ApiGateway::Method' && (r.Properties!.RestApiId as { Ref: string }).Ref === restApiId) {
        const p = r.Properties!;
        this.methods.push({
          httpMethod: String(p.HttpMethod),
          resourcePath: pathOf(p.ResourceId) || '/',
          authorizerId: p.AuthorizationType === 'CUSTOM' ? (p.AuthorizerId as { Ref: string }).Ref : undefined,
        });
      }
    }
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::ApiGateway::Authorizer' || (r.Properties!.RestApiId as { Ref: string }).Ref !== restApiId) continue;
      const uri = JSON.stringify(r.Properties!.AuthorizerUri);
      const functionId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)![1];
      this.authorizers[id] = {
        identitySources: String(r.Properties!.IdentitySource).split(','),
        ttlSeconds: Number(r.Properties!.AuthorizerResultTtlInSeconds ?? 300),
        functionId,
      };
    }
  }

  private match(method: string, requestPath: string): { m: MethodModel; params: Record<string, string> } | undefined {
    const segments = requestPath.split('/').filter(Boolean);
    for (const m of this.methods) {
      if (m.httpMethod !== method) continue;
      const parts = m.resourcePath.split('/').filter(Boolean);
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      if (parts.every((p, i) => (p.startsWith('{') ? (params[p.slice(1, -1)] = segments[i], true) : p === segments[i]))) return { m, params };
    }
    return undefined;
  }

  async request(req: ClientRequest): Promise<GatewayAnswer> {
    const found = this.match(req.method, req.path);
    if (!found) return { status: 403, invoked: false };
    const { m, params } = found;
    if (!m.authorizerId) return { status: 200, invoked: false };
    const authorizer = this.authorizers[m.authorizerId];
    const headers = req.headers ?? {};
    const header = (name: string): string | undefined => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    const sourceIp = req.sourceIp ?? '203.0.113.7';
    const contextValues: Record<string, string> = { 'context.httpMethod': req.method, 'context.path': `/v1${req.path}`, 'context.identity.sourceIp': sourceIp };
    const keyParts: string[] = [];
    for (const source of authorizer.identitySources) {
      const value = source.startsWith('method.request.header.') ? header(source.slice('method.request.header.'.length)) : contextValues[source];
      // API Gateway: a missing or empty identity source is a 401 without calling the authorizer.
      if (value === undefined || value === '') return { status: 401, invoked: false };
      keyParts.push(value);
    }
    const cacheKey = `${m.authorizerId}|${keyParts.join('\u0000')}`;
    const now = this.clockSeconds();
    const cached = authorizer.ttlSeconds > 0 ? this.cache.get(cacheKey) : undefined;
    let result: AuthorizerModule.AuthorizerResult | 'unauthorized';
    let invoked = false;
    if (cached && cached.until > now) {
      result = cached.result;
    } else {
      invoked = true;
      const event: AuthorizerModule.AuthorizerEvent = {
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:${this.region}:${ACCOUNT}:apiid/v1/${req.method}${req.path}`,
        resource: m.resourcePath,
        path: req.path,
        httpMethod: req.method,
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        pathParameters: Object.keys(params).length > 0 ? params : null,
        requestContext: { requestId: randomUUID(), resourcePath: m.resourcePath, httpMethod: req.method, identity: { sourceIp, clientCert: null } },
      };
      try {
        result = await this.invoke(authorizer.functionId, event);
      } catch (e) {
        if (!(e instanceof Error && e.message === 'Unauthorized')) return { status: 500, invoked };
        result = 'unauthorized';
      }
      if (authorizer.ttlSeconds > 0) this.cache.set(cacheKey, { result, until: now + authorizer.ttlSeconds });
    }
    if (result === 'unauthorized') return { status: 401, invoked };
    const allowed = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    return { status: allowed ? 200 : 403, invoked, context: result.context, principalId: result.principalId };
  }
}

/** The bundled authorizer of the assembly (its `createAuthorizer`, the code Lambda runs). */
export function loadAuthorizer(assetDir: string): typeof AuthorizerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(assetDir, 'index.js')) as typeof AuthorizerModule;
}

/**
 * Invokes a bundled Lambda handler (`index.handler` of an asset folder) as Lambda does: in a Node process of its own,
 * with the function's environment, the event as JSON. Resolves with the handler's result, rejects with its error.
 */
export function invokeLambda<T>(assetDir: string, environment: Record<string, string>, event: unknown): Promise<T> {
  const script = `const h = require(${JSON.stringify(path.join(assetDir, 'index.js'))}).handler; let d = '';
process.stdin.on('data', (c) => { d += c; }).on('end', async () => {
  try { process.stdout.write(JSON.stringify({ ok: await h(JSON.parse(d)) })); }
  catch (e) { process.stdout.write(JSON.stringify({ error: e && e.name + ': ' + e.message })); }
});`;
  return new Promise<T>((done, fail) => {
    const child = execFile(process.execPath, ['-e', script], { env: { ...process.env, ...environment }, timeout: 60_000 }, (err, stdout) => {
      if (err) return fail(err);
      const out = JSON.parse(stdout) as { ok?: T; error?: string };
      return out.error !== undefined ? fail(new Error(out.error)) : done(out.ok as T);
    });
    child.stdin!.end(JSON.stringify(event));
  });
}

export type PreTokenGenerationV3Event = TriggerModule.PreTokenGenerationV3Event;

export { findResource, resolve };
