import type * as CedarWasm from '@cedar-policy/cedar-wasm/nodejs';
import { AuthorizerConfigError } from './config';

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

/**
 * The attributes a request carries into Cedar, all in `context` (entities cost ~2x as much per call):
 * - `principal`: `User::"<sub>"` (token) or `ApiClient::"<keyId>"` (API key)
 * - `action`: `Action::"<METHOD> <resource path>"`, e.g. `Action::"GET /orders/{id}"`
 * - `resource`: `Path::"<request path>"`
 */
export interface CedarContext {
  /** Tenant of the principal (from the token or the API key's record). */
  tenant: string;
  /** `jwt` or `apiKey`. */
  authMethod: string;
  issuer: string;
  subject: string;
  clientId: string;
  scopes: string[];
  groups: string[];
  roles: string[];
  amr: string[];
  /** True when `amr` shows multi-factor authentication (`mfa`, or two or more methods). */
  mfa: boolean;
  /** Path parameters of the route, e.g. `{ tenantId: "acme", id: "42" }` (resource attributes). */
  params: Record<string, string>;
  /** The route key, e.g. `GET /orders/{id}`. */
  route: string;
  sourceIp: string;
  /** True when the request came with an mTLS client certificate that the token is bound to. */
  certificateBound: boolean;
  /** True when the request came with an mTLS client certificate. */
  mtls: boolean;
  /** Request time: epoch seconds, hour of day (UTC), day of week (UTC, 0 = Sunday). */
  time: number;
  hourUtc: number;
  dayOfWeekUtc: number;
}

export interface CedarRequest {
  readonly principal: { readonly type: string; readonly id: string };
  readonly action: string;
  readonly resource: string;
  readonly context: CedarContext;
}

export interface CedarDecision {
  readonly allowed: boolean;
  /** Ids of the policies that determined the decision. */
  readonly policies: readonly string[];
  /** Evaluation errors: any error denies (Cedar would skip an erroring `forbid`, which would fail open). */
  readonly errors: readonly string[];
}

const CONTEXT_KEYS: ReadonlyArray<keyof CedarContext> = [
  'tenant', 'authMethod', 'issuer', 'subject', 'clientId', 'scopes', 'groups', 'roles', 'amr', 'mfa', 'params', 'route',
  'sourceIp', 'certificateBound', 'mtls', 'time', 'hourUtc', 'dayOfWeekUtc',
];

type Token = { kind: 'ident' | 'string' | 'punct'; value: string };

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
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++;
        value += text[j] ?? '';
        j++;
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j) });
      i = j;
    } else {
      if (!/\s/.test(c)) tokens.push({ kind: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

/**
 * The context attributes the policies read. Each attribute passed to Cedar costs ~5 µs of conversion, so only those
 * are sent. A lexical scan (comments and strings skipped) rather than Cedar's JSON form: `policyToJson` would add
 * ~70 ms to a cold start. When `context` is used other than as `context.a`, `context["a"]` or `context has a`
 * (e.g. compared as a whole), every attribute is kept.
 */
export function referencedContextKeys(policies: string): ReadonlyArray<keyof CedarContext> {
  const t = tokenize(policies);
  const used = new Set<string>();
  for (let i = 0; i < t.length; i++) {
    if (t[i].kind !== 'ident' || t[i].value !== 'context') continue;
    const [a, b, c] = [t[i + 1], t[i + 2], t[i + 3]];
    if (a?.value === '.' && a.kind === 'punct' && b?.kind === 'ident') used.add(b.value);
    else if (a?.value === '[' && a.kind === 'punct' && b?.kind === 'string' && c?.value === ']') used.add(b.value);
    else if (a?.kind === 'ident' && a.value === 'has' && (b?.kind === 'ident' || b?.kind === 'string')) used.add(b.value);
    else return CONTEXT_KEYS;
  }
  return CONTEXT_KEYS.filter((k) => used.has(k));
}

let nextSetId = 0;

/** Cedar policies parsed once per cold start (`preparsePolicySet`), evaluated per request with `statefulIsAuthorized`. */
export class CedarPolicies {
  private readonly cedar: Cedar;
  private readonly setId: string;
  private readonly keys: ReadonlyArray<keyof CedarContext>;

  constructor(policies: string) {
    this.cedar = loadCedar();
    this.setId = `authorizer-${nextSetId++}`;
    const answer = this.cedar.preparsePolicySet(this.setId, { staticPolicies: policies });
    if (answer.type !== 'success') {
      throw new AuthorizerConfigError('policies', `Cedar policies do not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
    }
    this.keys = referencedContextKeys(policies);
  }

  /** The context attributes sent to Cedar (the others are left out as unused). */
  get contextKeys(): ReadonlyArray<keyof CedarContext> {
    return this.keys;
  }

  isAuthorized(request: CedarRequest): CedarDecision {
    const context: Record<string, CedarWasm.CedarValueJson> = {};
    for (const k of this.keys) context[k] = request.context[k];
    const answer = this.cedar.statefulIsAuthorized({
      principal: request.principal,
      action: { type: 'Action', id: request.action },
      resource: { type: 'Path', id: request.resource },
      context,
      preparsedPolicySetId: this.setId,
      entities: [],
    });
    if (answer.type !== 'success') return { allowed: false, policies: [], errors: answer.errors.map((e) => e.message) };
    const { decision, diagnostics } = answer.response;
    const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    // Cedar skips a policy whose evaluation errors; for a `forbid` that would open access, so any error denies.
    return { allowed: decision === 'allow' && errors.length === 0, policies: diagnostics.reason, errors };
  }
}
