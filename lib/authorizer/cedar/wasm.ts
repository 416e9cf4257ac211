import type * as CedarWasm from '@cedar-policy/cedar-wasm/nodejs';
import { AuthorizerConfigError } from '../config';
import { CedarContext, CedarDecision, CedarRequest, CONTEXT_KEYS } from './types';

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

type Token = { kind: 'ident' | 'string' | 'punct'; value: string; start: number; end: number; escaped?: boolean };

/** Cedar's lexical structure, as far as finding `context` accesses needs: identifiers, strings, comments, punctuation. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      let escaped = false;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') {
          escaped = true;
          j++;
        }
        value += text[j] ?? '';
        j++;
      }
      // `escaped`: the value above is not Cedar's (`\n`, `\u{..}`, `\*` in patterns); such strings are never used to prune.
      tokens.push({ kind: 'string', value, start: i, end: j + 1, escaped });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j), start: i, end: j });
      i = j;
    } else {
      if (!/\s/.test(c)) tokens.push({ kind: 'punct', value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** The set-valued attributes whose elements can be narrowed to those the policies test for. */
const SET_KEYS = ['scopes', 'groups', 'roles', 'amr'] as const;
type SetKey = typeof SET_KEYS[number];

/** What the policies read from the context: its attributes, the path parameters of `context.params`, set elements. */
export interface ContextUse {
  readonly keys: ReadonlyArray<keyof CedarContext>;
  /** Path parameters read (`context.params.tenantId`, `context.params has tenantId`); undefined: all of them. */
  readonly params?: readonly string[];
  /**
   * Per set attribute, the elements the policies test for when they only use it as `.contains("a")`,
   * `.containsAny(["a", ...])` or `.containsAll(["a", ...])`; absent: every element is sent.
   */
  readonly elements?: Readonly<Partial<Record<SetKey, readonly string[]>>>;
}

/** The attribute named right after `t[i]` (`.a`, `["a"]`, `has a`, `has "a"`); undefined when `t[i]` is followed by anything else. */
function accessedAttribute(t: readonly Token[], i: number): string | undefined {
  const [a, b, c] = [t[i + 1], t[i + 2], t[i + 3]];
  if (a?.value === '.' && a.kind === 'punct' && b?.kind === 'ident') return b.value;
  // An escaped string's value here is not Cedar's (see tokenize): treated as an unrecognised use.
  if (a?.value === '[' && a.kind === 'punct' && plainString(b) && c?.kind === 'punct' && c.value === ']') return b.value;
  if (a?.kind === 'ident' && a.value === 'has' && (b?.kind === 'ident' || plainString(b))) return b.value;
  return undefined;
}

/** Index of the last token of `context.<name>` / `context["<name>"]` at `t[i]` (a `context` identifier); undefined: not that form. */
function pastAttribute(t: readonly Token[], i: number, name: string): number | undefined {
  if (isPunct(t[i + 1], '.') && isIdent(t[i + 2], name)) return i + 2;
  if (isPunct(t[i + 1], '[') && plainString(t[i + 2]) && t[i + 2].value === name && isPunct(t[i + 3], ']')) return i + 3;
  return undefined;
}

/**
 * The string literals a set is tested for right after `t[end]`: `.contains("a")`, `.containsAny(["a", "b"])`,
 * `.containsAll(["a"])`; undefined for any other use (then the whole set is needed). Membership of those literals is
 * all these operations read, so a set narrowed to them gives the same answers.
 */
function testedElements(t: readonly Token[], end: number): string[] | undefined {
  if (!isPunct(t[end + 1], '.') || !isPunct(t[end + 3], '(')) return undefined;
  if (isIdent(t[end + 2], 'contains')) return plainString(t[end + 4]) && isPunct(t[end + 5], ')') ? [t[end + 4].value] : undefined;
  if (!(isIdent(t[end + 2], 'containsAny') || isIdent(t[end + 2], 'containsAll')) || !isPunct(t[end + 4], '[')) return undefined;
  const literals: string[] = [];
  for (let j = end + 5; ; j += 2) {
    if (!plainString(t[j])) return undefined;
    literals.push(t[j].value);
    if (isPunct(t[j + 1], ']')) return isPunct(t[j + 2], ')') ? literals : undefined;
    if (!isPunct(t[j + 1], ',')) return undefined;
  }
}

/**
 * What the policies read from the context. Each attribute passed to Cedar costs ~5 µs of conversion, so only those
 * are sent, and of `params` only the path parameters read. A lexical scan (comments and strings skipped) rather than
 * Cedar's JSON form: `policyToJson` would add ~70 ms to a cold start. When `context` is used other than as `context.a`,
 * `context["a"]` or `context has a` (e.g. compared as a whole), every attribute is kept; likewise every path parameter
 * when `context.params` is used other than as `context.params.p`, `context.params["p"]` or `context.params has p`.
 */
export function referencedContext(policies: string): ContextUse {
  const t = tokenize(policies);
  const used = new Set<string>();
  const params = new Set<string>();
  let allParams = false;
  const elements = new Map<SetKey, Set<string> | 'all'>();
  for (let i = 0; i < t.length; i++) {
    if (t[i].kind !== 'ident' || t[i].value !== 'context') continue;
    const attribute = accessedAttribute(t, i);
    if (attribute === undefined) return { keys: CONTEXT_KEYS };
    used.add(attribute);
    // `context has params` reads no parameter; `context.params` followed by anything but an access reads them all.
    const paramsEnd = pastAttribute(t, i, 'params');
    if (paramsEnd !== undefined) {
      const param = accessedAttribute(t, paramsEnd);
      if (param === undefined) allParams = true;
      else params.add(param);
    }
    const set = SET_KEYS.find((k) => k === attribute);
    const setEnd = set && pastAttribute(t, i, set);
    if (set && setEnd !== undefined && elements.get(set) !== 'all') {
      const literals = testedElements(t, setEnd);
      if (literals === undefined) elements.set(set, 'all');
      else elements.set(set, new Set([...(elements.get(set) as Set<string> | undefined) ?? [], ...literals]));
    }
  }
  const narrowed: Partial<Record<SetKey, readonly string[]>> = {};
  for (const [k, v] of elements) if (v !== 'all') narrowed[k] = [...v];
  return { keys: CONTEXT_KEYS.filter((k) => used.has(k)), params: allParams ? undefined : [...params], elements: narrowed };
}

/** The context attributes the policies read (see {@link referencedContext}). */
export function referencedContextKeys(policies: string): ReadonlyArray<keyof CedarContext> {
  return referencedContext(policies).keys;
}

/** One policy of the set, as written, under the id Cedar gives it when parsing the whole text (`policy<N>`, source order). */
interface PolicyPart {
  readonly id: string;
  readonly text: string;
  /** Actions the policy can apply to; undefined: any (or not recognised, which is treated as any). */
  readonly actions?: ReadonlySet<string>;
  /** `like` patterns of a first `when { context.route like "..." || ... }` clause; undefined: none recognised. */
  readonly routePatterns?: readonly string[];
}

const isPunct = (t: Token | undefined, v: string): boolean => t?.kind === 'punct' && t.value === v;
const isIdent = (t: Token | undefined, v: string): boolean => t?.kind === 'ident' && t.value === v;
const plainString = (t: Token | undefined): t is Token => t?.kind === 'string' && !t.escaped;

/** `Action::"X"` at `t[i]`: the id, or undefined. */
function actionUid(t: readonly Token[], i: number): string | undefined {
  return isIdent(t[i], 'Action') && isPunct(t[i + 1], ':') && isPunct(t[i + 2], ':') && plainString(t[i + 3]) ? t[i + 3].value : undefined;
}

/** The action scope `action`, `action == Action::"X"`, `action in Action::"X"` or `action in [Action::"X", ...]`; undefined: any. */
function actionScope(t: readonly Token[]): ReadonlySet<string> | undefined {
  if (!isIdent(t[0], 'action') || t.length === 1) return undefined;
  // Without entities (none are passed) `action in Action::"X"` holds only for X itself.
  if ((isPunct(t[1], '=') && isPunct(t[2], '=')) || isIdent(t[1], 'in')) {
    const at = isIdent(t[1], 'in') ? 2 : 3;
    const single = actionUid(t, at);
    if (single !== undefined) return at + 4 === t.length ? new Set([single]) : undefined;
    if (!isIdent(t[1], 'in') || !isPunct(t[2], '[') || !isPunct(t[t.length - 1], ']')) return undefined;
    const ids = new Set<string>();
    for (let i = 3; i < t.length - 1; i += 5) {
      const id = actionUid(t, i);
      if (id === undefined || !(isPunct(t[i + 4], ',') || i + 4 === t.length - 1)) return undefined;
      ids.add(id);
    }
    return ids.size > 0 ? ids : undefined;
  }
  return undefined;
}

/** Patterns of a condition body `context.route like "p" (|| context.route like "q")*`; undefined: anything else. */
function routePatterns(t: readonly Token[]): string[] | undefined {
  const patterns: string[] = [];
  for (let i = 0; ; i += 7) {
    if (!(isIdent(t[i], 'context') && isPunct(t[i + 1], '.') && isIdent(t[i + 2], 'route') && isIdent(t[i + 3], 'like') && plainString(t[i + 4]))) {
      return undefined;
    }
    patterns.push(t[i + 4].value);
    if (i + 5 === t.length) return patterns;
    if (!(isPunct(t[i + 5], '|') && isPunct(t[i + 6], '|'))) return undefined;
  }
}

/** Cedar `like`: `*` matches any run of characters (patterns with escapes are never passed here). */
export function likeMatches(value: string, pattern: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return value === pattern;
  if (!value.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i], at);
    if (found < 0) return false;
    at = found + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return value.length - at >= last.length && value.endsWith(last);
}

/**
 * Splits policy text into its policies (Cedar numbers them `policy0`, `policy1`, ... in source order) and reads, lexically,
 * what can rule a policy out for an action: its action scope, and a first `when` clause that only tests `context.route`
 * (the route is the action's id). Anything not recognised counts as "may apply". Undefined when the text does not split
 * cleanly (then nothing is pruned).
 */
export function splitPolicies(policies: string): PolicyPart[] | undefined {
  const t = tokenize(policies);
  const parts: PolicyPart[] = [];
  let begin = 0;
  for (let i = 0; i < t.length; i++) {
    if (!isPunct(t[i], ';')) continue;
    const p = t.slice(begin, i + 1);
    parts.push({ id: `policy${parts.length}`, text: policies.slice(p[0].start, p[p.length - 1].end), ...readScope(p) });
    begin = i + 1;
  }
  return begin === t.length && parts.length > 0 ? parts : undefined;
}

function readScope(t: readonly Token[]): { actions?: ReadonlySet<string>; routePatterns?: string[] } {
  let i = 0;
  while (isPunct(t[i], '@')) {
    // @name("value") or @name
    i += isPunct(t[i + 2], '(') ? 5 : 2;
  }
  if (!(isIdent(t[i], 'permit') || isIdent(t[i], 'forbid')) || !isPunct(t[i + 1], '(')) return {};
  const scope: Token[][] = [[]];
  let depth = 0;
  let j = i + 2;
  for (; j < t.length; j++) {
    const tok = t[j];
    if (tok.kind === 'punct' && (tok.value === '(' || tok.value === '[')) depth++;
    if (tok.kind === 'punct' && (tok.value === ')' || tok.value === ']')) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && isPunct(tok, ',')) scope.push([]);
    else scope[scope.length - 1].push(tok);
  }
  if (scope.length !== 3) return {};
  const result: { actions?: ReadonlySet<string>; routePatterns?: string[] } = { actions: actionScope(scope[1]) };
  // The first condition is evaluated right after the scope (which cannot error), so when it is false, so is the policy.
  if (isIdent(t[j + 1], 'when') && isPunct(t[j + 2], '{')) {
    const close = t.findIndex((x, k) => k > j + 2 && isPunct(x, '}'));
    if (close > 0) result.routePatterns = routePatterns(t.slice(j + 3, close));
  }
  return result;
}

/** Whether a policy can apply to a request for `action` (whose `context.route` is the same string). */
function mayApply(part: PolicyPart, action: string): boolean {
  if (part.actions && !part.actions.has(action)) return false;
  if (part.routePatterns && !part.routePatterns.some((p) => likeMatches(action, p))) return false;
  return true;
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
