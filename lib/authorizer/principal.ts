import * as crypto from 'node:crypto';

/** Node's one-shot `crypto.hash` (Node 20.12+, 22+): about a third of `createHash().update().digest()` for short input. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Short, non-reversible ids for the log: the first 16 hex digits of SHA-256 of `<scope>#<id>`, memoized per scope (an
 * issuer, or `apikey`) and id. Two levels rather than one map keyed by the joined string: the join would be built,
 * flattened and hashed on every decision. Bounded: past `maxEntries` the memo starts over.
 */
export class PrincipalHashes {
  private readonly byScope = new Map<string, Map<string, string>>();
  private count = 0;

  constructor(private readonly maxEntries: number) {}

  of(scope: string, id: string): string {
    let ids = this.byScope.get(scope);
    let hash = ids?.get(id);
    if (hash !== undefined) return hash;
    hash = sha256Hex(`${scope}#${id}`).slice(0, 16);
    if (this.count >= this.maxEntries) {
      this.byScope.clear();
      this.count = 0;
      ids = undefined;
    }
    if (!ids) this.byScope.set(scope, ids = new Map());
    ids.set(id, hash);
    this.count++;
    return hash;
  }
}
