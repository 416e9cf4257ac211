/**
 * A policy set compiled to closures (see compiler.ts), sliced by action: a request is evaluated against the policies
 * whose scope names its action plus those that name none, so the decision time does not grow with the number of
 * action-scoped policies. Decisions, determining policies and erroring policies are Cedar's (the differential test
 * compares them with @cedar-policy/cedar-wasm on random policy sets and requests).
 */
import { CompiledPolicy, compilePolicy, Env } from './compiler';
import { parsePolicies } from './parser';
import { CedarContextSource, CedarDecision, CedarRequest, CONTEXT_KEYS } from './types';
import { CedarRecord, CedarSet, EntityUid, EvaluationError, LONG_MAX, LONG_MIN, Value } from './values';

const KNOWN_KEYS: ReadonlySet<string> = new Set(CONTEXT_KEYS);
const MAX_SLICES = 4096;

/** A context value from the request as a Cedar value; undefined: the attribute is absent. */
function toValue(raw: unknown): Value | undefined {
  switch (typeof raw) {
    case 'string': case 'boolean': return raw;
    case 'undefined': return undefined;
    case 'number':
      if (!Number.isSafeInteger(raw)) throw new EvaluationError(`context value ${raw} is not a Long`);
      return BigInt(raw);
    case 'bigint':
      if (raw > LONG_MAX || raw < LONG_MIN) throw new EvaluationError(`context value ${raw} is not a Long`);
      return raw;
    case 'object': {
      if (raw === null) break;
      if (Array.isArray(raw)) {
        return new CedarSet(raw.map((x) => {
          const v = toValue(x);
          if (v === undefined) throw new EvaluationError('context set holds an undefined element');
          return v;
        }));
      }
      if (raw instanceof EntityUid || raw instanceof CedarSet || raw instanceof CedarRecord) return raw;
      const map = new Map<string, Value>();
      for (const k of Object.keys(raw)) {
        const v = toValue((raw as Record<string, unknown>)[k]);
        if (v !== undefined) map.set(k, v);
      }
      return new CedarRecord(map);
    }
  }
  throw new EvaluationError(`context value of type ${raw === null ? 'null' : typeof raw} is not a Cedar value`);
}

class RequestEnv implements Env {
  private readonly cache = new Map<string, Value | undefined>();
  constructor(
    readonly principal: EntityUid, readonly action: EntityUid, readonly resource: EntityUid, private readonly source: CedarContextSource,
  ) {}

  attr(name: string): Value | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const source = this.source;
    let raw: unknown;
    if (typeof source === 'function') raw = KNOWN_KEYS.has(name) ? source(name as keyof typeof source) : undefined;
    else if (Object.prototype.hasOwnProperty.call(source, name)) raw = (source as unknown as Record<string, unknown>)[name];
    const v = toValue(raw);
    this.cache.set(name, v);
    return v;
  }

  context(): CedarRecord {
    const keys = typeof this.source === 'function' ? CONTEXT_KEYS : Object.keys(this.source);
    const map = new Map<string, Value>();
    for (const k of keys) {
      const v = this.attr(k);
      if (v !== undefined) map.set(k, v);
    }
    return new CedarRecord(map);
  }
}

interface Indexed extends CompiledPolicy {
  readonly index: number;
}

export class CompiledCedarPolicies {
  /** Ids of the policies, in source order. */
  readonly ids: readonly string[];
  private readonly anyAction: readonly Indexed[];
  private readonly byAction = new Map<string, Indexed[]>();
  private readonly slices = new Map<string, readonly Indexed[]>();

  /** Throws `Unsupported` (from the lexer/parser) when the text is outside the compiled subset. */
  constructor(text: string) {
    const compiled = parsePolicies(text).map((p, index): Indexed => ({ ...compilePolicy(p), index }));
    this.ids = compiled.map((p) => p.id);
    this.anyAction = compiled.filter((p) => p.actions === undefined);
    for (const p of compiled) {
      for (const a of new Set(p.actions ?? [])) {
        let list = this.byAction.get(a);
        if (!list) this.byAction.set(a, (list = []));
        list.push(p);
      }
    }
  }

  /** Ids of the policies evaluated for `action` (those that can apply to it), in source order. */
  policiesFor(action: string): readonly string[] {
    return this.slice(action).map((p) => p.id);
  }

  private slice(action: string): readonly Indexed[] {
    const cached = this.slices.get(action);
    if (cached) return cached;
    const scoped = this.byAction.get(action);
    if (!scoped) return this.anyAction;
    const slice = [...this.anyAction, ...scoped].sort((a, b) => a.index - b.index);
    if (this.slices.size < MAX_SLICES) this.slices.set(action, slice);
    return slice;
  }

  isAuthorized(request: CedarRequest): CedarDecision {
    const env = new RequestEnv(
      new EntityUid(request.principal.type, request.principal.id),
      new EntityUid('Action', request.action),
      new EntityUid('Path', request.resource),
      request.context,
    );
    const forbids: string[] = [];
    const permits: string[] = [];
    let errors: string[] | undefined;
    let erroring: string[] | undefined;
    for (const p of this.slice(request.action)) {
      let satisfied: boolean;
      try {
        satisfied = p.test(env);
      } catch (e) {
        // Skipped, as Cedar skips it (and the decision reports it: the authorizer denies on any error).
        if (!(e instanceof EvaluationError)) throw e;
        (errors ??= []).push(`${p.id}: ${e.message}`);
        (erroring ??= []).push(p.id);
        continue;
      }
      if (satisfied) (p.forbid ? forbids : permits).push(p.id);
    }
    // Forbid overrides permit; with neither satisfied, the default is deny with no determining policy.
    const allowed = forbids.length === 0 && permits.length > 0;
    return {
      allowed: allowed && errors === undefined,
      decision: allowed ? 'allow' : 'deny',
      policies: forbids.length > 0 ? forbids : permits,
      errors: errors ?? NONE,
      erroring: erroring ?? NONE,
    };
  }
}

const NONE: readonly string[] = Object.freeze([]);
