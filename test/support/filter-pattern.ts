/**
 * A small offline engine for CloudWatch Logs JSON filter patterns (`{ $.a.b[0] = "x" && ($.n >= 5 || $.f IS TRUE) }`),
 * following the documented semantics (Filter and Pattern Syntax, "Matching Terms in JSON Log Events"):
 * - selectors start at `$`, members by `.name` (letters, digits, `-`, `_`), array elements by `[n]`;
 * - a selector must reach a value node: a condition on an array or object never matches, with `=` or `!=`;
 * - `=`/`!=` against a string (quoted, or bare alphanumerics) compare strings; `*` is a wildcard only at the start or
 *   end (`*Event`, `Event*`; `Ev*ent` is literal); a lone `*` matches any value;
 * - `=`, `!=`, `<`, `>`, `<=`, `>=` against a number compare numbers (number nodes only: a JSON string such as `"401"`
 *   is not a number, which is why the platform's access-log filters compare `"401"` as a string);
 * - `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`; `&&` binds tighter than `||`; parentheses group.
 * Only JSON patterns (what the platform writes); term and space-delimited patterns are refused.
 */

type Node = unknown;
type Cond = (root: Node) => boolean;

const MISSING = Symbol('missing');

export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const p = new Parser(pattern.trim());
  const cond = p.pattern();
  return (message) => {
    let root: Node;
    try {
      root = JSON.parse(message);
    } catch {
      return false;
    }
    return root !== null && typeof root === 'object' && cond(root);
  };
}

/** Whether `message` (one log event) matches the JSON filter `pattern`. */
export function matchesFilterPattern(pattern: string, message: string): boolean {
  return compileFilterPattern(pattern)(message);
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  pattern(): Cond {
    this.expect('{');
    const e = this.or();
    this.expect('}');
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing text');
    return e;
  }

  private or(): Cond {
    const terms = [this.and()];
    while (this.eat('||')) terms.push(this.and());
    return terms.length === 1 ? terms[0] : (r) => terms.some((t) => t(r));
  }

  private and(): Cond {
    const terms = [this.unary()];
    while (this.eat('&&')) terms.push(this.unary());
    return terms.length === 1 ? terms[0] : (r) => terms.every((t) => t(r));
  }

  private unary(): Cond {
    if (this.eat('(')) {
      const e = this.or();
      this.expect(')');
      return e;
    }
    return this.condition();
  }

  private condition(): Cond {
    const path = this.selector();
    const get = (r: Node): Node | typeof MISSING => resolve(r, path);
    this.ws();
    if (this.eatWord('IS')) {
      if (this.eatWord('NULL')) return (r) => get(r) === null;
      if (this.eatWord('TRUE')) return (r) => get(r) === true;
      if (this.eatWord('FALSE')) return (r) => get(r) === false;
      this.fail('IS NULL, IS TRUE or IS FALSE');
    }
    if (this.eatWord('NOT')) {
      if (this.eatWord('EXISTS')) return (r) => get(r) === MISSING;
      this.fail('NOT EXISTS');
    }
    const op = ['<=', '>=', '!=', '=', '<', '>'].find((o) => this.eat(o));
    if (!op) this.fail('a comparison operator');
    const value = this.value();
    if (value.kind === 'number') {
      const n = value.number;
      const cmp: Record<string, (a: number) => boolean> = {
        '=': (a) => a === n, '!=': (a) => a !== n, '<': (a) => a < n, '>': (a) => a > n, '<=': (a) => a <= n, '>=': (a) => a >= n,
      };
      return (r) => {
        const v = get(r);
        return typeof v === 'number' && cmp[op!](v);
      };
    }
    if (op !== '=' && op !== '!=') this.fail(`${op} needs a number`);
    const text = value.text;
    if (!value.quoted && text === '*') return (r) => isValueNode(get(r)) && op === '=';
    const test = wildcard(text);
    return (r) => {
      const v = get(r);
      if (typeof v !== 'string') return false;
      return op === '=' ? test(v) : !test(v);
    };
  }

  private selector(): Array<string | number> {
    this.ws();
    if (this.s[this.i] !== '$') this.fail('a selector starting with $');
    this.i++;
    const path: Array<string | number> = [];
    for (;;) {
      const c = this.s[this.i];
      if (c === '.') {
        this.i++;
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i));
        if (!m) this.fail('a member name');
        path.push(m![0]);
        this.i += m![0].length;
      } else if (c === '[') {
        const m = /^\[(\d+)\]/.exec(this.s.slice(this.i));
        if (!m) this.fail('an array index');
        path.push(Number(m![1]));
        this.i += m![0].length;
      } else {
        return path;
      }
    }
  }

  private value(): { kind: 'number'; number: number } | { kind: 'string'; text: string; quoted: boolean } {
    this.ws();
    if (this.s[this.i] === '"') {
      let j = this.i + 1;
      let out = '';
      while (j < this.s.length && this.s[j] !== '"') {
        if (this.s[j] === '\\' && j + 1 < this.s.length) j++;
        out += this.s[j++];
      }
      if (j >= this.s.length) this.fail('a closing quote');
      this.i = j + 1;
      return { kind: 'string', text: out, quoted: true };
    }
    const num = /^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?(?=[\s)}&|]|$)/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { kind: 'number', number: Number(num[0]) };
    }
    const bare = /^[^\s(){}&|"]+/.exec(this.s.slice(this.i));
    if (!bare) this.fail('a value');
    this.i += bare![0].length;
    return { kind: 'string', text: bare![0], quoted: false };
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private eat(token: string): boolean {
    this.ws();
    if (this.s.startsWith(token, this.i)) {
      this.i += token.length;
      return true;
    }
    return false;
  }

  private eatWord(word: string): boolean {
    this.ws();
    const next = this.s.slice(this.i, this.i + word.length + 1);
    if (next.startsWith(word) && !/[A-Za-z0-9_]/.test(next.charAt(word.length))) {
      this.i += word.length;
      return true;
    }
    return false;
  }

  private expect(token: string): void {
    if (!this.eat(token)) this.fail(`"${token}"`);
  }

  private fail(what: string): never {
    throw new Error(`filter pattern: expected ${what} at ${this.i} in ${this.s}`);
  }
}

function resolve(root: Node, path: Array<string | number>): Node | typeof MISSING {
  let cur: Node = root;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return MISSING;
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(step in (cur as object))) return MISSING;
      cur = (cur as Record<string, Node>)[step];
    }
  }
  return cur;
}

function isValueNode(v: Node | typeof MISSING): boolean {
  return v !== MISSING && (v === null || typeof v !== 'object');
}

/** `*x`, `x*`, `*x*` wildcards at the ends; any other `*` is literal. */
function wildcard(text: string): (v: string) => boolean {
  const lead = text.length > 1 && text.startsWith('*');
  const trail = text.length > 1 && text.endsWith('*');
  const core = text.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (text === '*') return () => true;
  if (lead && trail) return (v) => v.includes(core);
  if (lead) return (v) => v.endsWith(core);
  if (trail) return (v) => v.startsWith(core);
  return (v) => v === core;
}
