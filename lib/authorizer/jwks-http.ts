/**
 * The JWKS fetch: one HTTP/1.1 GET written on a node:net (http) or node:tls (https) socket, and its response read by
 * {@link JwksResponseReader}. Not node:http's client: on a cold start its first request (agent, outgoing-message header
 * checks, the llhttp parser, the IncomingMessage stream) costs ~3–5 ms of the init's CPU, more than the loopback round
 * trip itself, for one GET of a small JSON document per refresh. The TLS socket is node's own, with its defaults:
 * the certificate chain checked against the CA store (plus NODE_EXTRA_CA_CERTS), the host name checked against the
 * certificate, SNI sent for a host name.
 */
import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Longest accepted response head (status line and headers), as node:http's default `maxHeaderSize`. */
export const MAX_HEAD_BYTES = 16 * 1024;

const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/;
/** A header line: a token, a colon, a value of visible characters, spaces and tabs (no obs-fold, no bare CR). */
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*$/;
const DIGITS = /^\d{1,15}$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,8})(?:[ \t]*;[^\r\n]*)?$/;

/**
 * Reads one HTTP/1.1 response, as bytes arrive, into its body: status 200 only (informational 1xx heads are skipped),
 * the body framed by `Content-Length`, by `Transfer-Encoding: chunked`, or by the end of the connection (the request
 * said `Connection: close`). Refuses a head over {@link MAX_HEAD_BYTES}, a body over `maxBytes`, both framings at once,
 * a transfer coding other than chunked, conflicting lengths, a malformed chunk, and a body cut short.
 */
export class JwksResponseReader {
  private head: Buffer = Buffer.alloc(0);
  private status?: number;
  private framing?: 'length' | 'chunked' | 'close';
  private expected = 0;
  /** The body so far (decoded when chunked). */
  private readonly parts: Buffer[] = [];
  private size = 0;
  /** Chunked framing: bytes received and not yet decoded. */
  private pending: Buffer = Buffer.alloc(0);
  /** Chunked framing: bytes left in the current chunk, or -1 between chunks. */
  private chunkLeft = -1;
  private complete = false;

  constructor(private readonly maxBytes: number) {}

  /** Takes the next bytes; returns the body once the response is complete, undefined while it is not. Throws on a bad response. */
  push(data: Buffer): Buffer | undefined {
    if (this.complete) return undefined;
    if (this.framing === undefined) {
      this.head = this.head.length === 0 ? data : Buffer.concat([this.head, data]);
      let rest: Buffer | undefined;
      while (this.framing === undefined) {
        const end = this.head.indexOf(CRLF2);
        if (end < 0) {
          if (this.head.length > MAX_HEAD_BYTES) throw new Error(`JWKS response head exceeds ${MAX_HEAD_BYTES} bytes`);
          return undefined;
        }
        if (end > MAX_HEAD_BYTES) throw new Error(`JWKS response head exceeds ${MAX_HEAD_BYTES} bytes`);
        rest = this.head.subarray(end + 4);
        this.readHead(this.head.toString('latin1', 0, end));
        this.head = rest;
      }
      data = rest!;
      this.head = Buffer.alloc(0);
      if (this.framing === 'length' && this.expected === 0) return this.done();
    }
    if (data.length === 0) return undefined;
    return this.framing === 'chunked' ? this.pushChunked(data) : this.pushBody(data);
  }

  /** The connection ended: the body when the response was framed by the end of the connection, else an error. */
  end(): Buffer {
    if (this.complete) throw new Error('JWKS response already complete');
    if (this.framing === 'close') return this.done();
    throw new Error(this.status === undefined ? 'JWKS connection closed before a response' : 'JWKS response aborted');
  }

  /** One head (status line and headers). Informational (1xx) heads are skipped; `framing` is set by a final one. */
  private readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]);
    if (!status) throw new Error('JWKS endpoint sent a malformed HTTP status line');
    const code = Number(status[1]);
    let length: string | undefined;
    let coding: string | undefined;
    for (let i = 1; i < lines.length; i++) {
      const header = HEADER_LINE.exec(lines[i]);
      if (!header) throw new Error('JWKS endpoint sent a malformed HTTP header');
      const name = header[1].toLowerCase();
      if (name === 'content-length') {
        // Repeated (or comma-listed) lengths must all agree (RFC 9110 §8.6).
        for (const v of header[2].split(',')) {
          const value = v.trim();
          if (!DIGITS.test(value) || (length !== undefined && length !== value)) throw new Error('JWKS endpoint sent an invalid Content-Length');
          length = value;
        }
      } else if (name === 'transfer-encoding') {
        coding = coding === undefined ? header[2] : `${coding}, ${header[2]}`;
      }
    }
    if (code >= 100 && code < 200 && code !== 101) return;
    this.status = code;
    if (code !== 200) throw new Error(`JWKS endpoint answered HTTP ${code}`);
    if (coding !== undefined) {
      if (length !== undefined) throw new Error('JWKS endpoint sent both Content-Length and Transfer-Encoding');
      if (coding.trim().toLowerCase() !== 'chunked') throw new Error(`JWKS endpoint sent an unsupported Transfer-Encoding: ${coding.slice(0, 40)}`);
      this.framing = 'chunked';
    } else if (length !== undefined) {
      this.expected = Number(length);
      if (this.expected > this.maxBytes) throw new Error(`JWKS body of ${this.expected} bytes exceeds the ${this.maxBytes}-byte cap`);
      this.framing = 'length';
    } else {
      this.framing = 'close';
    }
  }

  private pushBody(data: Buffer): Buffer | undefined {
    if (this.framing !== 'length') {
      this.append(data);
      return undefined;
    }
    // The body ends at its length: bytes after it are not part of it (the connection is closed once it is read).
    this.append(data.length > this.expected - this.size ? data.subarray(0, this.expected - this.size) : data);
    return this.size === this.expected ? this.done() : undefined;
  }

  private pushChunked(data: Buffer): Buffer | undefined {
    let buf = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    for (;;) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, buf.length);
        this.append(buf.subarray(0, take));
        this.chunkLeft -= take;
        buf = buf.subarray(take);
        if (this.chunkLeft > 0) break;
      }
      if (this.chunkLeft === 0) {
        // The CRLF after a chunk's data.
        if (buf.length < 2) break;
        if (buf[0] !== 13 || buf[1] !== 10) throw new Error('JWKS endpoint sent a malformed chunk');
        buf = buf.subarray(2);
        this.chunkLeft = -1;
      }
      const eol = buf.indexOf('\r\n', 0, 'latin1');
      if (eol < 0) {
        if (buf.length > 1024) throw new Error('JWKS endpoint sent a malformed chunk');
        break;
      }
      const line = CHUNK_SIZE.exec(buf.toString('latin1', 0, eol));
      if (!line) throw new Error('JWKS endpoint sent a malformed chunk');
      const size = parseInt(line[1], 16);
      if (size === 0) {
        // The last chunk: the body is complete at the end of the (ignored) trailer section.
        const rest = buf.subarray(eol + 2);
        if (rest.length >= 2 && rest[0] === 13 && rest[1] === 10) return this.done();
        const trailerEnd = rest.indexOf(CRLF2);
        if (trailerEnd >= 0) return this.done();
        if (rest.length > MAX_HEAD_BYTES) throw new Error(`JWKS response trailers exceed ${MAX_HEAD_BYTES} bytes`);
        this.pending = buf;
        return undefined;
      }
      if (this.size + size > this.maxBytes) throw new Error(`JWKS body exceeds the ${this.maxBytes}-byte cap`);
      this.chunkLeft = size;
      buf = buf.subarray(eol + 2);
    }
    this.pending = buf;
    return undefined;
  }

  private append(data: Buffer): void {
    this.size += data.length;
    if (this.size > this.maxBytes) throw new Error(`JWKS body exceeds the ${this.maxBytes}-byte cap`);
    this.parts.push(data);
  }

  private done(): Buffer {
    this.complete = true;
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
  }
}

/** `uri`'s host is an IP literal (the WHATWG URL parser writes IPv4 as dotted decimal and IPv6 in brackets). */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^[\d.]+$/.test(hostname);
}

/**
 * Fetches a JWKS body: one GET, a hard deadline, a size cap, no redirects, 200 only. http is for loopback tests (the
 * configuration refuses it elsewhere). Resolves with the body; rejects with an Error saying what went wrong.
 */
export function fetchJwksBody(uri: string, deadlineMs: number, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const url = new URL(uri);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      reject(new Error(`JWKS URI must be http(s): ${url.protocol}`));
      return;
    }
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    const reader = new JwksResponseReader(maxBytes);
    let settled = false;
    const finish = (err: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Destroying the socket ends the connection and any bytes still arriving (the deadline is a hard one).
      socket.destroy();
      if (err) reject(err);
      else resolve(body!);
    };
    const socket: Socket = secure
      ? tlsConnect({ host: hostname, port, servername: isIpLiteral(url.hostname) ? undefined : hostname })
      : netConnect({ host: hostname, port });
    const timer = setTimeout(() => finish(new Error(`JWKS fetch exceeded its ${deadlineMs} ms deadline`)), deadlineMs);
    timer.unref();
    socket.on('data', (chunk: Buffer) => {
      try {
        const body = reader.push(chunk);
        if (body) finish(undefined, body);
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.on('end', () => {
      try {
        finish(undefined, reader.end());
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('JWKS connection closed before a response')));
    // Written now, sent once connected (and, over TLS, once the handshake is done). Not `end()`: the connection stays
    // open both ways until the response is read (`Connection: close` has the server close it then).
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}
