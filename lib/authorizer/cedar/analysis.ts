/**
 * What the cedar-wasm path needs to know about policy text without asking the engine: a lexical scan (identifiers,
 * strings, comments, punctuation) that finds the context attributes the policies read, splits the text into its
 * policies under the ids Cedar gives them, and reads what rules a policy out for an action. Used to send Cedar only
 * the policies and context an action needs (see WasmCedarPolicies).
 */
import { CedarContext, CONTEXT_KEYS } from './types';

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
export const SET_KEYS = ['scopes', 'groups', 'roles', 'amr'] as const;
export type SetKey = typeof SET_KEYS[number];

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
export interface PolicyPart {
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
export function mayApply(part: PolicyPart, action: string): boolean {
  if (part.actions && !part.actions.has(action)) return false;
  if (part.routePatterns && !part.routePatterns.some((p) => likeMatches(action, p))) return false;
  return true;
}
