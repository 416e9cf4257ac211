import * as fs from 'fs';
import { join } from 'path';
import { CfnResource, IPolicyValidationContext, Stack, Stage, Token } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PlatformValidationError } from '../../errors';
import { ProfileMinimums, profileMinimums } from '../../spec/profiles';
import { ResolvedSpec, resolveSpec } from '../../spec/resolve';
import { COMPLIANCE_PROFILES, ComplianceProfile, PlatformSpec } from '../../spec/types';
import { ComplianceRule, PublicRouteRef } from '../rule';

/** Prefix of every rule id of the platform pack (`SecureApi-<Name>`); `acknowledge()` accepts it. */
export const PLATFORM_PACK_NAME = 'SecureApi';

export type { PublicRouteRef };

/** What the platform rules read besides the resource: the spec's choices and the profiles' minimums. */
export interface RuleContext {
  readonly profiles: readonly ComplianceProfile[];
  readonly minimums: ProfileMinimums;
  /** Routes the spec names public; any other unauthorized method is a finding. */
  readonly publicRoutes: readonly PublicRouteRef[];
  /** Custom domain names the spec serves with mutual TLS. */
  readonly mtlsDomains: readonly string[];
  /** Minimum TLS version of domains without mTLS (mTLS domains need TLS 1.2: API Gateway refuses mTLS on TLS 1.3 policies). */
  readonly minTlsVersion: '1.2' | '1.3';
  /** Largest authorizer result cache TTL, in seconds. */
  readonly maxAuthorizerCacheTtl: number;
  /** The spec's end-to-end revocation bound (gateway TTL + authorizer cache + replication budget), seconds. @default - no spec */
  readonly revocationBoundSeconds?: number;
}

/** Inputs from which a RuleContext is built (the pack's props). */
export interface RuleContextInput {
  /**
   * The platform spec (raw or resolved): supplies profiles, public routes, mTLS domains and TLS policy.
   * @default - no spec: no public routes, no mTLS domains, TLS 1.3 on every domain without mTLS
   */
  readonly spec?: PlatformSpec | ResolvedSpec;
  /**
   * Profiles whose minimums and platform rules apply.
   * @default - the spec's profiles, else all four
   */
  readonly profiles?: readonly ComplianceProfile[];
  /**
   * Public routes (in addition to the spec's).
   * @default - the spec's public routes only
   */
  readonly publicRoutes?: readonly PublicRouteRef[];
  /**
   * Minimum TLS version of custom domains without mTLS.
   * @default - '1.3', or '1.2' when the spec picks the post-quantum policy (API Gateway's PQ policy negotiates down to 1.2)
   */
  readonly minTlsVersion?: '1.2' | '1.3';
}

export const ALL_PROFILES: readonly ComplianceProfile[] = COMPLIANCE_PROFILES;

function isResolved(spec: PlatformSpec | ResolvedSpec): spec is ResolvedSpec {
  return 'minimums' in spec && 'routes' in spec && 'publicRoutes' in spec;
}

/** Builds the rules' context from a spec and/or explicit profiles and public routes. */
export function ruleContext(input: RuleContextInput = {}): RuleContext {
  const resolved = input.spec === undefined ? undefined : isResolved(input.spec) ? input.spec : resolveSpec(input.spec);
  const profiles = [...new Set([...(input.profiles ?? []), ...(resolved?.profiles ?? [])])];
  const effective = profiles.length > 0 ? profiles : [...ALL_PROFILES];
  const specRoutes: PublicRouteRef[] = (resolved?.publicRoutes ?? [])
    .map((r) => ({ method: r.method, path: r.path, reason: r.publicReason, api: r.api, version: r.version }));
  const mtls = resolved?.spec.domain?.mtls?.domainName;
  return {
    profiles: effective,
    minimums: profileMinimums(effective),
    publicRoutes: [...specRoutes, ...(input.publicRoutes ?? [])],
    mtlsDomains: mtls ? [mtls] : [],
    minTlsVersion: input.minTlsVersion ?? (resolved?.tlsPolicy === 'TLS13_PQ' ? '1.2' : '1.3'),
    maxAuthorizerCacheTtl: 300,
    revocationBoundSeconds: resolved?.revocation.boundSeconds,
  };
}

/** The context a rule uses when called without one: every profile, nothing public, TLS 1.3. */
export const DEFAULT_RULE_CONTEXT: RuleContext = ruleContext();

/** A platform rule: a pure function over one L1 resource (and the context) returning its compliance. */
export type RuleCheck = (node: CfnResource, ctx?: RuleContext) => NagRuleCompliance;

/**
 * A platform rule: the core rule shape over one L1 resource (`SecureApi-<Name>`, its requirement, named control set,
 * CloudFormation types and check), with what cdk-nag needs to report a finding.
 */
export interface PlatformRule extends ComplianceRule<CfnResource, RuleContext, NagRuleCompliance> {
  /** What a finding means (cdk-nag's `info`). */
  readonly info: string;
  /** Why the rule exists and how to fix a finding (cdk-nag's `explanation`). */
  readonly explanation: string;
  readonly level: NagMessageLevel;
  /** Part of the AWS Solutions (Well-Architected) baseline. */
  readonly awsSolutions: boolean;
}

/** The rule's id, `SecureApi-<Name>` (for `rules.map(platformRuleId)`). */
export function platformRuleId(rule: PlatformRule): string {
  return rule.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the rules. They read the resource from the synthesized template of its stack, as CloudFormation
// will see it (escape-hatch overrides, tags and metadata included), through public API only: the assembly CDK hands
// a validation plugin, or the one `Stage.synth()` writes (as `Template.fromStack` of aws-cdk-lib/assertions reads it).

/** A JSON value with tokens resolved to CloudFormation intrinsics. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One resource of a stack, as rules see it in cross-resource checks. */
export interface IndexedResource {
  readonly node: CfnResource;
  readonly logicalId: string;
  readonly type: string;
  readonly props: JsonObject;
}

/** Every CfnResource of a stack (not of nested stages), indexed by logical id and type. */
export interface StackIndex {
  readonly byId: ReadonlyMap<string, IndexedResource>;
  ofType(...types: string[]): IndexedResource[];
}

/** What one validation reads: each stage synthesized at most once, each template parsed once. */
interface TemplateSession {
  /** Template paths CDK handed the validation plugin, by stack construct path. */
  readonly templatePaths: ReadonlyMap<string, string>;
  /** CDK wrote the assembly before calling the validation: read it, never synthesize (that would validate again). */
  readonly written: boolean;
  readonly synthesized: Set<Stage>;
  readonly templates: Map<Stack, JsonObject>;
  readonly indexes: Map<Stack, StackIndex>;
  /** Resolved logical ids (a token resolution each: the rules of a resource read it once per session). */
  readonly logicalIds: Map<CfnResource, string>;
}

let activeSession: TemplateSession | undefined;

/**
 * Runs `fn` (a whole validation) over one synthesis. With `context` (CDK calling the pack as a validation plugin,
 * after it wrote the assembly) the rules read the templates CDK hands over; without, the first template a rule reads
 * synthesizes its stage (`Stage.synth({ force: true })`), once for the whole of `fn`. Nested calls share the outer
 * session. Outside any session, each helper call synthesizes afresh, so a resource changed between two calls is seen.
 */
export function withTemplates<T>(fn: () => T, context?: Pick<IPolicyValidationContext, 'stackTemplates'>): T {
  const previous = activeSession;
  if (previous && !context) return fn();
  activeSession = {
    templatePaths: new Map((context?.stackTemplates ?? []).map((t) => [t.stackConstructPath, t.templatePath])),
    written: context !== undefined,
    synthesized: new Set(),
    templates: new Map(),
    indexes: new Map(),
    logicalIds: new Map(),
  };
  try {
    return fn();
  } finally {
    activeSession = previous;
  }
}

/** The synthesized template of `stack` (a nested stack's too), read within the active session. */
function templateOf(stack: Stack, session: TemplateSession): JsonObject {
  const cached = session.templates.get(stack);
  if (cached) return cached;
  const stage = Stage.of(stack);
  if (!stage) throw new PlatformValidationError(`${stack.node.path}: a stack outside any App or Stage has no template to check`, stack);
  let file = session.templatePaths.get(stack.node.path);
  if (!file) {
    if (!session.written && !session.synthesized.has(stage)) {
      stage.synth({ force: true });
      session.synthesized.add(stage);
    }
    file = join(stage.outdir, stack.templateFile);
  }
  const template = JSON.parse(fs.readFileSync(file, 'utf-8')) as JsonObject;
  session.templates.set(stack, template);
  return template;
}

/** The resource as it lands in the template: `{ Type, Properties, Metadata, ... }`, tokens resolved. */
export function rendered(node: CfnResource): JsonObject {
  return withTemplates(() => {
    const resources = templateOf(Stack.of(node), activeSession as TemplateSession).Resources;
    const r = isObject(resources) ? resources[logicalIdOf(node)] : undefined;
    return isObject(r) ? r : {};
  });
}

/** The rendered Properties of `node` (empty when none). */
export function propsOf(node: CfnResource): JsonObject {
  const p = rendered(node).Properties;
  return isObject(p) ? p : {};
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the value is (or contains) a CloudFormation intrinsic or an unresolved token: fail closed. */
export function isUnresolved(v: unknown): boolean {
  if (typeof v === 'string') return Token.isUnresolved(v);
  if (isObject(v)) return Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::'));
  return false;
}

/** A property path (`a.b.c`) of a JSON object, or undefined. */
export function at(obj: Json | undefined, ...path: string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
  }
  return cur;
}

/** A boolean property that must be literally true (CloudFormation also accepts "true"). */
export function isTrue(v: Json | undefined): boolean {
  return v === true || v === 'true';
}

/** The logical id of `node` in its template (resolved once per session). */
export function logicalIdOf(node: CfnResource): string {
  const cache = activeSession?.logicalIds;
  let id = cache?.get(node);
  if (id === undefined) {
    id = Stack.of(node).resolve(node.logicalId) as string;
    cache?.set(node, id);
  }
  return id;
}

/** Logical ids an intrinsic points at: `{Ref: X}` and `{Fn::GetAtt: [X, ...]}`, anywhere inside `v`. */
export function referencedIds(v: Json | undefined): string[] {
  const out: string[] = [];
  const walk = (x: Json | undefined): void => {
    if (Array.isArray(x)) {x.forEach(walk);} else if (isObject(x)) {
      for (const [k, val] of Object.entries(x)) {
        if (k === 'Ref' && typeof val === 'string' && !val.startsWith('AWS::')) out.push(val);
        else if (k === 'Fn::GetAtt' && Array.isArray(val) && typeof val[0] === 'string') out.push(val[0]);
        else if (k === 'Fn::GetAtt' && typeof val === 'string') out.push(val.split('.')[0]);
        else walk(val);
      }
    }
  };
  walk(v);
  return out;
}

/** The index of the stack that holds `node`: its resources as the template has them, with their constructs. */
export function stackIndex(node: CfnResource): StackIndex {
  return withTemplates(() => {
    const session = activeSession as TemplateSession;
    const stack = Stack.of(node);
    const cached = session.indexes.get(stack);
    if (cached) return cached;
    const resources = templateOf(stack, session).Resources;
    const byId = new Map<string, IndexedResource>();
    const visit = (c: IConstruct): void => {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) {
        const logicalId = logicalIdOf(c);
        const r = isObject(resources) ? resources[logicalId] : undefined;
        const props = isObject(r) && isObject(r.Properties) ? r.Properties : {};
        byId.set(logicalId, { node: c, logicalId, type: c.cfnResourceType, props });
      }
      for (const child of c.node.children) if (!Stack.isStack(child) || child === stack) visit(child);
    };
    visit(stack);
    // By type, listed once: rules ask for the methods of a stack once per method.
    const byType = new Map<string, IndexedResource[]>();
    for (const r of byId.values()) {
      const list = byType.get(r.type);
      if (list) list.push(r); else byType.set(r.type, [r]);
    }
    const index: StackIndex = {
      byId,
      ofType: (...types) => (types.length === 1 ? [...(byType.get(types[0]) ?? [])] : [...byId.values()].filter((r) => types.includes(r.type))),
    };
    session.indexes.set(stack, index);
    return index;
  });
}

/** `COMPLIANT` when ok, else `NON_COMPLIANT`. */
export function verdict(ok: boolean): NagRuleCompliance {
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export { NagMessageLevel, NagRuleCompliance };
