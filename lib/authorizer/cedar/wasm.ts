/**
 * The cedar-wasm fallback: the engine, loaded on first use, and policy sets evaluated by it with one pre-parsed subset
 * per action (what goes in a subset is read by ./analysis). Bundled as its own file beside the handler (cedar-wasm.js).
 */
import type * as CedarWasm from '@cedar-policy/cedar-wasm/nodejs';
import { AuthorizerConfigError } from '../config';
import { ContextUse, mayApply, PolicyPart, referencedContext, SetKey, splitPolicies } from './analysis';
import { CedarContext, CedarDecision, CedarRequest } from './types';

export { likeMatches, referencedContext, referencedContextKeys, splitPolicies } from './analysis';
export type { ContextUse } from './analysis';

type Cedar = typeof CedarWasm;
let engine: Cedar | undefined;

/**
 * Loads the Cedar engine (its CommonJS `nodejs` build, which reads the wasm beside it) on first use only: an
 * authorizer without policies never pays its ~35 ms load.
 */
export function loadCedar(): Cedar {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  engine ??= require('@cedar-policy/cedar-wasm/nodejs') as Cedar;
  return engine;
}

/** Syntax errors in Cedar policy text (empty when it parses). For synth-time checks: loads the engine. */
export function checkCedarPolicies(policies: string): string[] {
  const answer = loadCedar().checkParsePolicySet({ staticPolicies: policies });
  return answer.type === 'success' ? [] : answer.errors.map((e) => e.message);
}

/** What one action is evaluated against: a pre-parsed subset of the policies and the context they read. */
interface ActionPlan extends ContextUse {
  /** Undefined: no policy can apply (Cedar would answer deny, no policy, no error). */
  readonly setId?: string;
}

export interface CedarPoliciesOptions {
  /**
   * Evaluate each action against only the policies that can apply to it, with only the context attributes those read.
   * @default true
   */
  readonly perAction?: boolean;
  /**
   * Every action requests can name, when known up front (the authorizer's route keys: unlisted routes are denied before
   * Cedar). Then only the per-action subsets are parsed, now (parsing is the bulk of a cold start with Cedar: ~8 ms per
   * policy the first time); an action outside the list gets its own subset on first use, the whole set only if it needs all. A policy that can apply to none of these actions cannot change a
   * decision, so it is not parsed here: check the whole text with {@link checkCedarPolicies} at build time (the
   * constructs do, at synth). Any subset that does not parse falls back to parsing the whole set, which throws for a syntax error.
   * @default - the whole set now, each action's subset on first use
   */
  readonly actions?: readonly string[];
}

let nextSetId = 0;

/**
 * Cedar policies parsed once per cold start (`preparsePolicySet`), evaluated per request with `statefulIsAuthorized`.
 *
 * A call costs a fixed ~35 µs plus ~3 µs per policy in the set (even one whose scope does not match) plus 5–20 µs per
 * context attribute (serde conversion inside the wasm). So each action gets its own pre-parsed subset (at construction
 * when the actions are listed, else on first use): the policies that can apply to it (same ids), and the context
 * attributes those read. A policy left out is one Cedar
 * would not evaluate past its scope or its first `when` for that action, so the decision, the determining policies and
 * the errors are the same as with the whole set.
 */
export class WasmCedarPolicies {
  private readonly cedar: Cedar;
  private readonly setId: string;
  private readonly use: ContextUse;
  private parts?: readonly PolicyPart[];
  private readonly plans = new Map<string, ActionPlan>();
  private readonly subsets = new Map<string, ActionPlan>();

  private readonly policies: string;
  /** Whether `setId` holds the whole set (it is parsed on first need when subsets were parsed up front). */
  private wholeParsed = false;

  constructor(policies: string, options: CedarPoliciesOptions = {}) {
    this.cedar = loadCedar();
    this.setId = `authorizer-${nextSetId++}`;
    this.policies = policies;
    this.use = referencedContext(policies);
    const parts = options.perAction === false ? undefined : splitPolicies(policies);
    if (parts && options.actions && this.prepareActions(parts, options.actions)) {
      this.parts = parts;
      return;
    }
    this.parts = this.parseWhole(parts);
  }

  /**
   * Parses the whole set under `setId`: from the split parts when they split cleanly (Cedar then confirms each part is
   * exactly one policy, so the whole set and every subset share the same ids), from the text otherwise (then nothing is
   * pruned). Returns the parts in use. Throws {@link AuthorizerConfigError} when the text does not parse.
   */
  private parseWhole(parts: readonly PolicyPart[] | undefined): readonly PolicyPart[] | undefined {
    if (parts && this.cedar.preparsePolicySet(this.setId, { staticPolicies: recordOf(parts) }).type === 'success') {
      this.wholeParsed = true;
      return parts;
    }
    const answer = this.cedar.preparsePolicySet(this.setId, { staticPolicies: this.policies });
    if (answer.type !== 'success') {
      throw new AuthorizerConfigError('policies', `Cedar policies do not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
    }
    this.wholeParsed = true;
    return undefined;
  }

  /** Parses the subset of every listed action now. False (nothing kept) when one does not parse. */
  private prepareActions(parts: readonly PolicyPart[], actions: readonly string[]): boolean {
    const planned = new Map<string, ActionPlan>();
    for (const action of new Set(actions)) {
      if (planned.size >= MAX_ACTION_PLANS) break;
      const kept = parts.filter((p) => mayApply(p, action));
      const plan = kept.length === 0 ? NO_POLICY : this.subsetPlan(kept);
      if (!plan) {
        this.subsets.clear();
        return false;
      }
      planned.set(action, plan);
    }
    for (const [action, plan] of planned) this.plans.set(action, plan);
    return true;
  }

  /** The context attributes the whole set reads (an action is sent at most these). */
  get contextKeys(): ReadonlyArray<keyof CedarContext> {
    return this.use.keys;
  }

  /** The path parameters sent to Cedar in `context.params` for `action`; undefined: all of them. */
  paramKeysFor(action: string): readonly string[] | undefined {
    return this.plan(action).params;
  }

  /** The context attributes sent to Cedar for `action`. */
  contextKeysFor(action: string): ReadonlyArray<keyof CedarContext> {
    return this.plan(action).keys;
  }

  /** Ids of the policies `action` is evaluated against (all of them when nothing can be ruled out). */
  policiesFor(action: string): readonly string[] | undefined {
    return this.parts?.filter((p) => mayApply(p, action)).map((p) => p.id);
  }

  isAuthorized(request: CedarRequest): CedarDecision {
    const plan = this.plan(request.action);
    if (plan.setId === undefined) return { allowed: false, decision: 'deny', policies: [], errors: [], erroring: [] };
    const source = request.context;
    const context: Record<string, CedarWasm.CedarValueJson> = {};
    for (const k of plan.keys) {
      const value = typeof source === 'function' ? source(k) : source[k];
      const wanted = plan.elements?.[k as SetKey];
      // Each value sent costs Cedar ~5 µs to convert: only the path parameters and set elements the policies read.
      context[k] = k === 'params' ? pickParams(value as Record<string, string | undefined>, plan.params)
        : wanted ? (value as string[]).filter((e) => wanted.includes(e)) : value;
    }
    const answer = this.cedar.statefulIsAuthorized({
      principal: request.principal,
      action: { type: 'Action', id: request.action },
      resource: { type: 'Path', id: request.resource },
      context,
      preparsedPolicySetId: plan.setId,
      entities: [],
    });
    if (answer.type !== 'success') return { allowed: false, decision: 'deny', policies: [], errors: answer.errors.map((e) => e.message), erroring: [] };
    const { decision, diagnostics } = answer.response;
    const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    // Cedar skips a policy whose evaluation errors; for a `forbid` that would open access, so any error denies.
    return { allowed: decision === 'allow' && errors.length === 0, decision, policies: diagnostics.reason, errors, erroring: diagnostics.errors.map((e) => e.policyId) };
  }

  private plan(action: string): ActionPlan {
    let plan = this.plans.get(action);
    if (plan) return plan;
    plan = this.buildPlan(action);
    // Actions are route keys (the route is checked first), so this stays small; past the cap, the whole set is used.
    if (this.plans.size < MAX_ACTION_PLANS) this.plans.set(action, plan);
    return plan;
  }

  private buildPlan(action: string): ActionPlan {
    if (!this.parts) return this.wholePlan();
    const kept = this.parts.filter((p) => mayApply(p, action));
    if (kept.length === 0) return NO_POLICY;
    if (kept.length === this.parts.length) return this.wholePlan();
    return this.subsetPlan(kept) ?? this.wholePlan();
  }

  /** The whole set: parsed on first need when the subsets were parsed up front, unless one of them already is all of it. */
  private wholePlan(): ActionPlan {
    if (!this.wholeParsed) {
      const all = this.parts && this.subsets.get(signatureOf(this.parts));
      if (all) return all;
      this.parts = this.parseWhole(this.parts);
    }
    return { setId: this.setId, ...this.use };
  }

  /** The pre-parsed subset of `kept` (one per distinct subset, shared by the actions it serves); undefined when it cannot be had. */
  private subsetPlan(kept: readonly PolicyPart[]): ActionPlan | undefined {
    const signature = signatureOf(kept);
    let plan = this.subsets.get(signature);
    if (plan) return plan;
    const setId = `${this.setId}-${this.subsets.size}`;
    if (this.subsets.size >= MAX_ACTION_PLANS || this.cedar.preparsePolicySet(setId, { staticPolicies: recordOf(kept) }).type !== 'success') {
      return undefined;
    }
    plan = { setId, ...referencedContext(kept.map((p) => p.text).join('\n')) };
    this.subsets.set(signature, plan);
    return plan;
  }
}

/** The ids of a subset, as its key. */
function signatureOf(parts: readonly PolicyPart[]): string {
  return parts.map((p) => p.id).join(',');
}

/** An action no policy can apply to: Cedar would answer deny, no policy, no error. */
const NO_POLICY: ActionPlan = { keys: [], params: [], elements: {} };
const MAX_ACTION_PLANS = 256;

/** The path parameters `keys` (all when undefined) of `params` that have a string value, as a new record. */
function pickParams(params: Record<string, string | undefined> | null | undefined, keys: readonly string[] | undefined): Record<string, string> {
  const picked: Record<string, string> = {};
  if (!params) return picked;
  if (keys === undefined) {
    for (const k of Object.keys(params)) if (typeof params[k] === 'string') picked[k] = params[k];
    return picked;
  }
  for (const k of keys) {
    // Own members only: a parameter named like an Object.prototype member must not be read from the prototype.
    if (Object.prototype.hasOwnProperty.call(params, k) && typeof params[k] === 'string') picked[k] = params[k];
  }
  return picked;
}

function recordOf(parts: readonly PolicyPart[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const p of parts) record[p.id] = p.text;
  return record;
}
