import type { Eventually } from './identity';
import type { StoreCallOptions } from './stores';

/**
 * The options of a call to an in-process store: a signal that never fires. Made at the first such call, not when the
 * module loads: a process's first AbortController costs about 0.15 ms (measured after node:crypto has loaded), and an
 * authorizer with DynamoDB stores, or none, never calls an in-process store.
 */
let inProcessCall: StoreCallOptions | undefined;

/**
 * Runs store calls under the store deadline: the signal aborts the SDK request when the deadline passes, and the call
 * rejects then. An in-process store (one that says so with `inProcess: true`, as `MemoryAuthorizerStore` does) answers
 * from memory and cannot hang: it is called directly, without a timer, an AbortController or a promise (each a
 * measurable share of a first-seen token's decision, for nothing), and its answer is passed on as it comes (a value
 * keeps the decision synchronous).
 */
export class StoreDeadline {
  constructor(private readonly timeoutMs: number) {}

  call<T>(store: object, call: (options: StoreCallOptions) => Eventually<T>): Eventually<T> {
    if ((store as { readonly inProcess?: boolean }).inProcess === true) return call(inProcessCall ??= { signal: new AbortController().signal });
    return this.race(call);
  }

  private async race<T>(call: (options: StoreCallOptions) => Eventually<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`store call exceeded its ${this.timeoutMs} ms deadline`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([call({ signal: controller.signal }), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
