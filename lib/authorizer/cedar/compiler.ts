/**
 * Compiles parsed policies into JavaScript closures: each AST node becomes a function of the request, built once.
 * No source text is generated and nothing is evaluated as code (no `eval`, no `new Function`): policy text only ever
 * selects among these fixed closures and the literal values they hold.
 *
 * Evaluation follows Cedar's: operands left to right, `&&`/`||`/`if` short-circuit, a type mismatch or a missing
 * attribute is an error, Long arithmetic errors on 64-bit overflow. A policy whose evaluation errors is skipped (and
 * reported), as Cedar skips it.
 */
import { BinaryOp, Expr, Policy, ScopeConstraint } from './parser';
import {
  CedarRecord, CedarSet, EntityUid, equals, EvaluationError, ipInRange, IpAddr, ipLoopback, ipMulticast, likeMatches, LONG_MAX, LONG_MIN,
  parseIp, setHas, subset, typeError, Value,
} from './values';

/** What a compiled expression reads: the request's entities and its context, one attribute at a time. */
export interface Env {
  readonly principal: EntityUid;
  readonly action: EntityUid;
  readonly resource: EntityUid;
  /** A context attribute; undefined when the context has no such attribute. */
  attr(name: string): Value | undefined;
  /** The whole context (only built when a policy uses it other than through one attribute). */
  context(): CedarRecord;
}

type Fn = (env: Env) => Value;

const asBool = (v: Value): boolean => {
  if (typeof v !== 'boolean') throw typeError('bool', v);
  return v;
};
const asLong = (v: Value): bigint => {
  if (typeof v !== 'bigint') throw typeError('long', v);
  return v;
};
const asSet = (v: Value): CedarSet => {
  if (!(v instanceof CedarSet)) throw typeError('set', v);
  return v;
};
const asEntity = (v: Value): EntityUid => {
  if (!(v instanceof EntityUid)) throw typeError('entity', v);
  return v;
};
const asIp = (v: Value): IpAddr => {
  if (!(v instanceof IpAddr)) throw typeError('ipaddr', v);
  return v;
};
const checked = (v: bigint, op: string): bigint => {
  if (v > LONG_MAX || v < LONG_MIN) throw new EvaluationError(`integer overflow while attempting to ${op} the values`);
  return v;
};

function binary(op: BinaryOp, l: Fn, r: Fn): Fn {
  switch (op) {
    case '==': return (env) => equals(l(env), r(env));
    case '<': return (env) => {
      const a = l(env);
      const b = r(env);
      return asLong(a) < asLong(b);
    };
    case '<=': return (env) => {
      const a = l(env);
      const b = r(env);
      return asLong(a) <= asLong(b);
    };
    case '+': return (env) => {
      const a = l(env);
      const b = r(env);
      return checked(asLong(a) + asLong(b), 'add');
    };
    case '-': return (env) => {
      const a = l(env);
      const b = r(env);
      return checked(asLong(a) - asLong(b), 'subtract');
    };
    case '*': return (env) => {
      const a = l(env);
      const b = r(env);
      return checked(asLong(a) * asLong(b), 'multiply');
    };
    case 'in': return (env) => {
      const a = l(env);
      const b = r(env);
      const uid = asEntity(a);
      // Without entity data (the platform passes none), an entity is `in` only itself.
      if (b instanceof EntityUid) return equals(uid, b);
      if (!(b instanceof CedarSet)) throw typeError('set or entity', b);
      for (const x of b.items) asEntity(x);
      return setHas(b, uid);
    };
    case 'contains': return (env) => {
      const a = l(env);
      const b = r(env);
      return setHas(asSet(a), b);
    };
    case 'containsAll': return (env) => {
      const a = l(env);
      const b = r(env);
      return subset(asSet(b), asSet(a));
    };
    case 'containsAny': return (env) => {
      const a = asSet(l(env));
      const b = asSet(r(env));
      for (const x of b.items) if (setHas(a, x)) return true;
      return false;
    };
  }
}

export function compileExpr(e: Expr): Fn {
  switch (e.k) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'var':
      switch (e.v) {
        case 'principal': return (env) => env.principal;
        case 'action': return (env) => env.action;
        case 'resource': return (env) => env.resource;
        default: return (env) => env.context();
      }
    case 'if': {
      const [c, t, f] = [compileExpr(e.c), compileExpr(e.t), compileExpr(e.e)];
      return (env) => (asBool(c(env)) ? t(env) : f(env));
    }
    case 'and': {
      const [l, r] = [compileExpr(e.l), compileExpr(e.r)];
      return (env) => asBool(l(env)) && asBool(r(env));
    }
    case 'or': {
      const [l, r] = [compileExpr(e.l), compileExpr(e.r)];
      return (env) => asBool(l(env)) || asBool(r(env));
    }
    case 'not': {
      const x = compileExpr(e.e);
      return (env) => !asBool(x(env));
    }
    case 'neg': {
      const x = compileExpr(e.e);
      return (env) => checked(-asLong(x(env)), 'negate');
    }
    case 'isEmpty': {
      const x = compileExpr(e.e);
      return (env) => asSet(x(env)).items.length === 0;
    }
    case 'bin': return binary(e.op, compileExpr(e.l), compileExpr(e.r));
    case 'get': return compileGet(e.e, e.attr);
    case 'has': {
      const attr = e.attr;
      if (e.e.k === 'var' && e.e.v === 'context') return (env) => env.attr(attr) !== undefined;
      const x = compileExpr(e.e);
      return (env) => {
        const v = x(env);
        if (v instanceof CedarRecord) return v.map.has(attr);
        // No entity data: an entity has no attributes.
        if (v instanceof EntityUid) return false;
        throw typeError('record or entity', v);
      };
    }
    case 'like': {
      const [x, parts] = [compileExpr(e.e), e.parts];
      return (env) => {
        const v = x(env);
        if (typeof v !== 'string') throw typeError('string', v);
        return likeMatches(v, parts);
      };
    }
    case 'is': {
      const [x, type] = [compileExpr(e.e), e.type];
      return (env) => asEntity(x(env)).type === type;
    }
    case 'set': {
      const items = e.items.map(compileExpr);
      if (e.items.every((i) => i.k === 'lit')) {
        const constant = new CedarSet(e.items.map((i) => (i as { v: Value }).v));
        return () => constant;
      }
      return (env) => new CedarSet(items.map((f) => f(env)));
    }
    case 'record': {
      const entries = e.entries.map(([k, v]) => [k, compileExpr(v)] as const);
      return (env) => new CedarRecord(new Map(entries.map(([k, f]) => [k, f(env)])));
    }
    case 'ext': return compileExt(e.fn, e.args.map(compileExpr));
  }
}

function compileGet(target: Expr, attr: string): Fn {
  const missing = (): never => {
    throw new EvaluationError(`record does not have the attribute \`${attr}\``);
  };
  if (target.k === 'var' && target.v === 'context') return (env) => env.attr(attr) ?? missing();
  const x = compileExpr(target);
  return (env) => {
    const v = x(env);
    if (v instanceof CedarRecord) return v.map.get(attr) ?? missing();
    if (v instanceof EntityUid) throw new EvaluationError(`entity \`${v.type}::"${v.id}"\` does not exist`);
    throw typeError('record or entity', v);
  };
}

function compileExt(fn: string, args: Fn[]): Fn {
  const [a, b] = args;
  switch (fn) {
    case 'ip': return (env) => {
      const v = a(env);
      if (typeof v !== 'string') throw typeError('string', v);
      return parseIp(v);
    };
    case 'isInRange': return (env) => {
      const x = a(env);
      const y = b(env);
      return ipInRange(asIp(x), asIp(y));
    };
    case 'isIpv4': return (env) => !asIp(a(env)).v6;
    case 'isIpv6': return (env) => asIp(a(env)).v6;
    case 'isLoopback': return (env) => ipLoopback(asIp(a(env)));
    default: return (env) => ipMulticast(asIp(a(env)));
  }
}

/** A scope constraint as a test of the request's entity (never an error: scopes only compare entities). */
function compileScope(s: ScopeConstraint, pick: (env: Env) => EntityUid): ((env: Env) => boolean) | undefined {
  const { type, eq } = s;
  const among = s.in;
  if (eq) return (env) => equals(pick(env), eq);
  if (type !== undefined && among) return (env) => pick(env).type === type && equals(pick(env), among[0]);
  if (type !== undefined) return (env) => pick(env).type === type;
  if (among) return (env) => among.some((u) => equals(pick(env), u));
  return undefined;
}

export interface CompiledPolicy {
  readonly id: string;
  readonly forbid: boolean;
  /** Action ids the scope names; undefined: any action. */
  readonly actions?: readonly string[];
  /** Whether the policy is satisfied; throws {@link EvaluationError} when its evaluation errors. */
  readonly test: (env: Env) => boolean;
}

export function compilePolicy(p: Policy): CompiledPolicy {
  const tests: Array<(env: Env) => boolean> = [];
  for (const [s, pick] of [
    [p.principal, (env: Env) => env.principal], [p.action, (env: Env) => env.action], [p.resource, (env: Env) => env.resource],
  ] as const) {
    const t = compileScope(s, pick);
    if (t) tests.push(t);
  }
  for (const c of p.conditions) {
    const f = compileExpr(c);
    tests.push((env) => asBool(f(env)));
  }
  const actionScope = p.action.eq ? [p.action.eq] : p.action.in;
  return {
    id: p.id,
    forbid: p.effect === 'forbid',
    actions: actionScope?.map((u) => u.id),
    test: (env) => {
      for (const t of tests) if (!t(env)) return false;
      return true;
    },
  };
}
