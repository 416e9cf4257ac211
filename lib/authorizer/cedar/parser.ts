/**
 * A parser for the compiled subset of Cedar, into a small AST. It is strict on purpose: whatever it is not sure Cedar
 * reads the same way (a construct outside the subset, a keyword as a name, a form the Cedar parser refuses) is
 * {@link Unsupported}, and the policy set then goes to the Cedar engine. Desugaring follows Cedar's own:
 * `a != b` is `!(a == b)`, `a > b` is `!(a <= b)`, `a >= b` is `!(a < b)`, `e is T in x` is `e is T && e in x`,
 * and `-<digits>` is a negative literal.
 */
import { lex, patternParts, Token, unescape, Unsupported } from './lexer';
import { EntityUid, LONG_MAX, Value } from './values';

export type Var = 'principal' | 'action' | 'resource' | 'context';
export type BinaryOp = '==' | '<' | '<=' | '+' | '-' | '*' | 'in' | 'contains' | 'containsAll' | 'containsAny';
/** Extension functions: `ip(s)`, and the ipaddr methods (the receiver is the first argument). */
export type ExtFn = 'ip' | 'isIpv4' | 'isIpv6' | 'isLoopback' | 'isMulticast' | 'isInRange';

export type Expr =
  | { readonly k: 'lit'; readonly v: Value }
  | { readonly k: 'var'; readonly v: Var }
  | { readonly k: 'if'; readonly c: Expr; readonly t: Expr; readonly e: Expr }
  | { readonly k: 'and' | 'or'; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'not' | 'neg' | 'isEmpty'; readonly e: Expr }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'get' | 'has'; readonly e: Expr; readonly attr: string }
  | { readonly k: 'like'; readonly e: Expr; readonly parts: readonly string[] }
  | { readonly k: 'is'; readonly e: Expr; readonly type: string }
  | { readonly k: 'set'; readonly items: readonly Expr[] }
  | { readonly k: 'record'; readonly entries: ReadonlyArray<readonly [string, Expr]> }
  | { readonly k: 'ext'; readonly fn: ExtFn; readonly args: readonly Expr[] };

/** A scope constraint on `principal`/`resource` (`action` uses `in` with a list of entities as well). */
export interface ScopeConstraint {
  /** `is T`. */
  readonly type?: string;
  /** `== E`. */
  readonly eq?: EntityUid;
  /** `in E` (or, for `action`, `in [E, ...]`): without entity data, membership is equality with one of them. */
  readonly in?: readonly EntityUid[];
}

export interface Policy {
  /** The id Cedar gives a policy of a set parsed from text: `policy<N>`, in source order. */
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly principal: ScopeConstraint;
  readonly action: ScopeConstraint;
  readonly resource: ScopeConstraint;
  /** `when` bodies as they are, `unless` bodies wrapped in `not`, in source order. */
  readonly conditions: readonly Expr[];
}

/** Words Cedar reserves or gives a meaning; never accepted here as a name (Cedar refuses some, reads others its own way). */
const KEYWORDS = new Set([
  'true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has', 'principal', 'action', 'resource', 'context',
  'permit', 'forbid', 'when', 'unless',
]);

/** Methods of the subset and their number of arguments (besides the receiver). */
const METHODS: Record<string, number> = {
  contains: 1, containsAll: 1, containsAny: 1, isEmpty: 0, isInRange: 1, isIpv4: 0, isIpv6: 0, isLoopback: 0, isMulticast: 0,
};

const RELOPS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in']);

class Parser {
  private i = 0;
  constructor(private readonly t: readonly Token[]) {}

  private get peek(): Token {
    return this.t[this.i];
  }

  private fail(what: string, token: Token = this.peek): never {
    throw new Unsupported(`${what}, found ${token.kind === 'eof' ? 'the end' : JSON.stringify(token.value)}`, token.at);
  }

  private isOp(v: string, at = 0): boolean {
    const token = this.t[this.i + at];
    return token !== undefined && token.kind === 'op' && token.value === v;
  }

  private isWord(v: string, at = 0): boolean {
    const token = this.t[this.i + at];
    return token !== undefined && token.kind === 'ident' && token.value === v;
  }

  private op(v: string): void {
    if (!this.isOp(v)) this.fail(`expected ${v}`);
    this.i++;
  }

  private word(v: string): void {
    if (!this.isWord(v)) this.fail(`expected ${v}`);
    this.i++;
  }

  /** A name (attribute, annotation, path segment): an identifier that is not a keyword. */
  private name(): string {
    const token = this.peek;
    if (token.kind !== 'ident' || KEYWORDS.has(token.value) || token.value.startsWith('__cedar')) this.fail('expected a name');
    this.i++;
    return token.value;
  }

  private str(): string {
    const token = this.peek;
    if (token.kind !== 'string') this.fail('expected a string');
    this.i++;
    return unescape(token.value, token.at);
  }

  policies(): Policy[] {
    const out: Policy[] = [];
    while (this.peek.kind !== 'eof') out.push(this.policy(`policy${out.length}`));
    return out;
  }

  private policy(id: string): Policy {
    const annotations = new Set<string>();
    while (this.isOp('@')) {
      this.i++;
      const key = this.name();
      if (annotations.has(key)) this.fail('duplicate annotation');
      annotations.add(key);
      if (this.isOp('(')) {
        this.i++;
        this.str();
        this.op(')');
      }
    }
    const effect = this.peek.value;
    if (effect !== 'permit' && effect !== 'forbid') this.fail('expected permit or forbid');
    this.i++;
    this.op('(');
    this.word('principal');
    const principal = this.scope(false);
    this.op(',');
    this.word('action');
    const action = this.scope(true);
    this.op(',');
    this.word('resource');
    const resource = this.scope(false);
    this.op(')');
    const conditions: Expr[] = [];
    while (this.isWord('when') || this.isWord('unless')) {
      const unless = this.isWord('unless');
      this.i++;
      this.op('{');
      const body = this.expr();
      this.op('}');
      conditions.push(unless ? { k: 'not', e: body } : body);
    }
    this.op(';');
    return { id, effect, principal, action, resource, conditions };
  }

  private scope(action: boolean): ScopeConstraint {
    if (this.isOp('==')) {
      this.i++;
      return { eq: this.scopeEntity(action) };
    }
    if (!action && this.isWord('is')) {
      this.i++;
      const type = this.path();
      if (!this.isWord('in')) return { type };
      this.i++;
      return { type, in: [this.scopeEntity(false)] };
    }
    if (this.isWord('in')) {
      this.i++;
      if (!action || !this.isOp('[')) return { in: [this.scopeEntity(action)] };
      this.i++;
      const list = [this.scopeEntity(true)];
      while (this.isOp(',')) {
        this.i++;
        list.push(this.scopeEntity(true));
      }
      this.op(']');
      return { in: list };
    }
    return {};
  }

  /** An entity literal of a scope; an action's must be of an `Action` type (Cedar refuses others). */
  private scopeEntity(action: boolean): EntityUid {
    const path: string[] = [this.name()];
    while (this.isOp('::') && this.t[this.i + 1]?.kind === 'ident') {
      this.i++;
      path.push(this.name());
    }
    this.op('::');
    if (action && path[path.length - 1] !== 'Action') this.fail('expected an Action entity');
    return new EntityUid(path.join('::'), this.str());
  }

  /** An entity type: `A` or `A::B`. */
  private path(): string {
    const path: string[] = [this.name()];
    while (this.isOp('::') && this.t[this.i + 1]?.kind === 'ident') {
      this.i++;
      path.push(this.name());
    }
    return path.join('::');
  }

  expr(): Expr {
    if (this.isWord('if')) {
      this.i++;
      const c = this.expr();
      this.word('then');
      const t = this.expr();
      this.word('else');
      return { k: 'if', c, t, e: this.expr() };
    }
    let l = this.and();
    while (this.isOp('||')) {
      this.i++;
      l = { k: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.relation();
    while (this.isOp('&&')) {
      this.i++;
      l = { k: 'and', l, r: this.relation() };
    }
    return l;
  }

  private relation(): Expr {
    const l = this.add();
    const token = this.peek;
    if (token.kind === 'op' && RELOPS.has(token.value) || this.isWord('in')) {
      this.i++;
      const r = this.add();
      if (this.peek.kind === 'op' && RELOPS.has(this.peek.value) || this.isWord('in')) this.fail('comparisons do not chain');
      switch (token.value) {
        case '==': return { k: 'bin', op: '==', l, r };
        case '!=': return { k: 'not', e: { k: 'bin', op: '==', l, r } };
        case '<': return { k: 'bin', op: '<', l, r };
        case '<=': return { k: 'bin', op: '<=', l, r };
        case '>': return { k: 'not', e: { k: 'bin', op: '<=', l, r } };
        case '>=': return { k: 'not', e: { k: 'bin', op: '<', l, r } };
        default: return { k: 'bin', op: 'in', l, r };
      }
    }
    if (this.isWord('has')) {
      this.i++;
      const attr = this.peek.kind === 'string' ? this.str() : this.name();
      return { k: 'has', e: l, attr };
    }
    if (this.isWord('like')) {
      this.i++;
      const token2 = this.peek;
      if (token2.kind !== 'string') this.fail('expected a pattern');
      this.i++;
      return { k: 'like', e: l, parts: patternParts(token2.value, token2.at) };
    }
    if (this.isWord('is')) {
      this.i++;
      const type = this.path();
      const is: Expr = { k: 'is', e: l, type };
      if (!this.isWord('in')) return is;
      this.i++;
      return { k: 'and', l: is, r: { k: 'bin', op: 'in', l, r: this.add() } };
    }
    return l;
  }

  private add(): Expr {
    let l = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.peek.value as '+' | '-';
      this.i++;
      l = { k: 'bin', op, l, r: this.mul() };
    }
    return l;
  }

  private mul(): Expr {
    let l = this.unary();
    while (this.isOp('*')) {
      this.i++;
      l = { k: 'bin', op: '*', l, r: this.unary() };
    }
    return l;
  }

  private unary(): Expr {
    if (!this.isOp('!') && !this.isOp('-')) return this.member();
    const op = this.peek.value;
    let n = 0;
    while (this.isOp(op)) {
      this.i++;
      n++;
    }
    if (n > 4 || this.isOp('!') || this.isOp('-')) this.fail('more than four unary operators, or mixed ones');
    let e: Expr;
    // `-<digits>` with nothing after it is a negative literal (so -9223372036854775808 is representable).
    const token = this.peek;
    if (op === '-' && token.kind === 'int' && !this.isOp('.', 1) && !this.isOp('[', 1)) {
      this.i++;
      const v = -BigInt(token.value);
      if (v < -LONG_MAX - 1n) this.fail('integer literal out of range', token);
      e = { k: 'lit', v };
      n--;
    } else {
      e = this.member();
    }
    for (; n > 0; n--) e = { k: op === '!' ? 'not' : 'neg', e };
    return e;
  }

  private member(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const at = this.peek;
        const attr = this.name();
        if (!this.isOp('(')) {
          e = { k: 'get', e, attr };
          continue;
        }
        this.i++;
        const args = this.isOp(')') ? [] : this.list(')');
        this.op(')');
        if (!Object.prototype.hasOwnProperty.call(METHODS, attr) || METHODS[attr] !== args.length) this.fail('unknown method or wrong arguments', at);
        if (attr === 'isEmpty') e = { k: 'isEmpty', e };
        else if (attr.startsWith('contains')) e = { k: 'bin', op: attr as BinaryOp, l: e, r: args[0] };
        else e = { k: 'ext', fn: attr as ExtFn, args: [e, ...args] };
      } else if (this.isOp('[')) {
        this.i++;
        const attr = this.str();
        this.op(']');
        e = { k: 'get', e, attr };
      } else {
        return e;
      }
    }
  }

  private list(close: string): Expr[] {
    const items = [this.expr()];
    while (this.isOp(',')) {
      this.i++;
      items.push(this.expr());
    }
    if (!this.isOp(close)) this.fail(`expected , or ${close}`);
    return items;
  }

  private primary(): Expr {
    const token = this.peek;
    if (token.kind === 'int') {
      this.i++;
      const v = BigInt(token.value);
      if (v > LONG_MAX) this.fail('integer literal out of range', token);
      return { k: 'lit', v };
    }
    if (token.kind === 'string') return { k: 'lit', v: this.str() };
    if (this.isOp('(')) {
      this.i++;
      const e = this.expr();
      this.op(')');
      return e;
    }
    if (this.isOp('[')) {
      this.i++;
      const items = this.isOp(']') ? [] : this.list(']');
      this.op(']');
      return { k: 'set', items };
    }
    if (this.isOp('{')) return this.record();
    if (token.kind !== 'ident') this.fail('expected an expression');
    switch (token.value) {
      case 'true': case 'false':
        this.i++;
        return { k: 'lit', v: token.value === 'true' };
      case 'principal': case 'action': case 'resource': case 'context':
        this.i++;
        return { k: 'var', v: token.value };
    }
    if (token.value === 'ip' && this.isOp('(', 1)) {
      this.i += 2;
      const args = this.isOp(')') ? [] : this.list(')');
      this.op(')');
      if (args.length !== 1) this.fail('ip() takes one argument', token);
      return { k: 'ext', fn: 'ip', args };
    }
    if (this.isOp('(', 1)) this.fail(`function ${token.value}() is not compiled`);
    const path: string[] = [this.name()];
    for (;;) {
      this.op('::');
      if (this.peek.kind === 'string') return { k: 'lit', v: new EntityUid(path.join('::'), this.str()) };
      path.push(this.name());
    }
  }

  private record(): Expr {
    this.op('{');
    const entries: Array<readonly [string, Expr]> = [];
    const keys = new Set<string>();
    while (!this.isOp('}')) {
      if (entries.length > 0) this.op(',');
      const key = this.peek.kind === 'string' ? this.str() : this.name();
      if (keys.has(key)) this.fail('duplicate record key');
      keys.add(key);
      this.op(':');
      entries.push([key, this.expr()]);
    }
    this.op('}');
    return { k: 'record', entries };
  }
}

/** Parses policy text into policies (ids `policy0`, `policy1`, ... as Cedar numbers them). Throws {@link Unsupported}. */
export function parsePolicies(text: string): Policy[] {
  return new Parser(lex(text)).policies();
}
