import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ProfileMinimums, profileMinimums } from '../../spec/profiles';
import { ResolvedSpec, resolveSpec } from '../../spec/resolve';
import { ComplianceProfile, PlatformSpec } from '../../spec/types';
import { PublicRouteRef } from '../rule';

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

export const ALL_PROFILES: readonly ComplianceProfile[] = ['AWS_SOLUTIONS', 'HIPAA', 'PCI_DSS', 'NIST_800_53'];

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

/** The framework mappings and texts of one platform rule (the rule table and the reports read them). */
export interface PlatformRuleMeta {
  /** Rule name; the rule id is `SecureApi-<name>`. */
  readonly name: string;
  /** The requirement in one line. */
  readonly requirement: string;
  /** What a finding means (cdk-nag's `info`). */
  readonly info: string;
  /** Why the rule exists and how to fix a finding (cdk-nag's `explanation`). */
  readonly explanation: string;
  readonly level: NagMessageLevel;
  /** CloudFormation types the rule checks. */
  readonly resourceTypes: readonly string[];
  /** PCI DSS 4.0 requirements. */
  readonly pci: readonly string[];
  /** HIPAA Security Rule paragraphs (45 CFR 164.312). */
  readonly hipaa: readonly string[];
  /** NIST SP 800-53 Rev. 5 controls. */
  readonly nist: readonly string[];
  /** Part of the AWS Solutions (Well-Architected) baseline. */
  readonly awsSolutions: boolean;
}

export interface PlatformRule {
  readonly check: RuleCheck;
  readonly meta: PlatformRuleMeta;
}

/** `SecureApi-<name>`. */
export function platformRuleId(rule: PlatformRule): string {
  return `${PLATFORM_PACK_NAME}-${rule.meta.name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the rules. They read the resource as CloudFormation will see it (overrides and tags included).

/** A JSON value with tokens resolved to CloudFormation intrinsics. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

interface Renderable {
  _toCloudFormation(): object;
}

/** The resource as it lands in the template: `{ Type, Properties, Metadata, ... }`, tokens resolved. */
export function rendered(node: CfnResource): JsonObject {
  const stack = Stack.of(node);
  const tpl = stack.resolve((node as unknown as Renderable)._toCloudFormation()) as { Resources?: Record<string, JsonObject> };
  const entries = Object.values(tpl.Resources ?? {});
  return entries[0] ?? {};
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

/** The logical id of `node` in its template. */
export function logicalIdOf(node: CfnResource): string {
  return Stack.of(node).resolve(node.logicalId) as string;
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

let activeCache: WeakMap<Stack, StackIndex> | undefined;

/**
 * Caches stack indexes while `fn` runs (the packs wrap a whole validation in it); outside, each call re-reads the
 * tree so a test that changes a resource between two calls sees the change.
 */
export function withIndexCache<T>(fn: () => T): T {
  const previous = activeCache;
  activeCache = previous ?? new WeakMap();
  try {
    return fn();
  } finally {
    activeCache = previous;
  }
}

/** The index of the stack that holds `node`. */
export function stackIndex(node: CfnResource): StackIndex {
  const stack = Stack.of(node);
  const cached = activeCache?.get(stack);
  if (cached) return cached;
  const byId = new Map<string, IndexedResource>();
  const visit = (c: IConstruct): void => {
    if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) {
      const r = rendered(c);
      byId.set(logicalIdOf(c), { node: c, logicalId: logicalIdOf(c), type: c.cfnResourceType, props: isObject(r.Properties) ? r.Properties : {} });
    }
    for (const child of c.node.children) if (!Stack.isStack(child) || child === stack) visit(child);
  };
  visit(stack);
  const index: StackIndex = { byId, ofType: (...types) => [...byId.values()].filter((r) => types.includes(r.type)) };
  activeCache?.set(stack, index);
  return index;
}

/** `COMPLIANT` when ok, else `NON_COMPLIANT`. */
export function verdict(ok: boolean): NagRuleCompliance {
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export { NagMessageLevel, NagRuleCompliance };
