/** The HTTP GET `doctor` uses: no redirects followed, a deadline, a body cap. */

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpGet = (url: string, options: { readonly timeoutMs: number }) => Promise<HttpResponse>;

const MAX_BODY = 1024 * 1024;

/** GET over Node's fetch; a redirect is returned as is (never followed), the body is capped at 1 MiB. */
export const defaultHttpGet: HttpGet = async (url, options) => {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs), headers: { accept: 'application/json' } });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  let body = '';
  if (res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY) {
        await reader.cancel();
        throw new Error(`response body larger than ${MAX_BODY} bytes`);
      }
      body += decoder.decode(value, { stream: true });
    }
    body += decoder.decode();
  }
  return { status: res.status, headers, body };
};
