import type { StoreCallOptions } from './stores';

/** The options of a call to an in-process store: a signal that never fires. */
const IN_PROCESS_CALL: StoreCallOptions = { signal: new AbortController().signal };

/**
 * Runs store calls under the store deadline: the signal aborts the SDK request when the deadline passes, and the call
 * rejects then. An in-process store (one that says so with `inProcess: true`, as `MemoryAuthorizerStore` does) answers
 * from memory and cannot hang: it gets no timer and no AbortController (a measurable share of a first-seen token's
 * decision, for nothing).
 */
export class StoreDeadline {
  constructor(private readonly timeoutMs: number) {}

  call<T>(store: object, call: (options: StoreCallOptions) => Promise<T>): Promise<T> {
    if ((store as { readonly inProcess?: boolean }).inProcess === true) return call(IN_PROCESS_CALL);
    return this.race(call);
  }

  private async race<T>(call: (options: StoreCallOptions) => Promise<T>): Promise<T> {
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
