// The JWKS fetch's own HTTP/1.1 client (lib/authorizer/jwks-http.ts): the response reader on every framing, split at
// every byte, and refusing what node:http's parser refuses; the fetch against servers that write raw bytes, and over TLS
// against a certificate the machine does not trust.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { fetchJwksBody, JwksResponseReader, MAX_HEAD_BYTES } from '../../lib/authorizer/jwks-http';

const BODY = '{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}';
const CAP = 64 * 1024;

/** Feeds `response` to a reader in pieces of `step` bytes, then the end of the connection; the body or the error message. */
function read(response: string | Buffer, step = Infinity, cap = CAP): string {
  const reader = new JwksResponseReader(cap);
  const bytes = Buffer.isBuffer(response) ? response : Buffer.from(response, 'latin1');
  try {
    for (let i = 0; i < bytes.length; i += step) {
      const body = reader.push(bytes.subarray(i, Math.min(bytes.length, i + step)));
      if (body) return `body:${body.toString('utf8')}`;
    }
    return `body:${reader.end().toString('utf8')}`;
  } catch (e) {
    return `error:${(e as Error).message}`;
  }
}

const withLength = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
const chunked = `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${[BODY.slice(0, 10), BODY.slice(10, 11), BODY.slice(11)]
  .map((c, i) => `${c.length.toString(16)}${i === 1 ? ';ext=1' : ''}\r\n${c}\r\n`).join('')}0\r\nx-trailer: 1\r\n\r\n`;

describe('the response reader', () => {
  test.each([
    ['Content-Length', withLength],
    ['chunked, with an extension and a trailer', chunked],
    ['chunked, upper-case hex and no trailer', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${BODY.length.toString(16).toUpperCase()}\r\n${BODY}\r\n0\r\n\r\n`],
    ['the end of the connection', `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n${BODY}`],
    ['an informational 103 head first', `HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n${withLength}`],
    ['a status line without a reason phrase', `HTTP/1.1 200\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`],
    ['a repeated, equal Content-Length', `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\ncontent-length: ${BODY.length}, ${BODY.length}\r\n\r\n${BODY}`],
  ])('reads the body framed by %s, however the bytes are split', (_name, response) => {
    for (const step of [1, 2, 3, 7, 64, Infinity]) expect(read(response, step)).toBe(`body:${BODY}`);
  });

  test('a Content-Length response is complete at its last byte, without waiting for the end of the connection', () => {
    const reader = new JwksResponseReader(CAP);
    expect(reader.push(Buffer.from(withLength, 'latin1'))?.toString()).toBe(BODY);
  });

  test('a Content-Length body ends at its length, however the bytes after it arrive', () => {
    for (const step of [1, 3, Infinity]) expect(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}}{"keys":[]}', step)).toBe('body:{}');
  });

  test('keeps bytes as they are (UTF-8 in the body)', () => {
    const body = Buffer.from('{"keys":[],"x":"é✓"}', 'utf8');
    const response = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    for (const step of [1, 5, Infinity]) expect(read(response, step)).toBe(`body:${body.toString('utf8')}`);
  });

  test.each([
    ['a status other than 200', 'HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n', /HTTP 302/],
    ['a 101 switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /HTTP 101/],
    ['a malformed status line', `HTTP/2 200\r\n\r\n${BODY}`, /status line/],
    ['something that is not HTTP', `${BODY}\r\n\r\n`, /status line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\n{}', /malformed HTTP header/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\n{}', /malformed HTTP header/],
    ['a bare CR in a header', 'HTTP/1.1 200 OK\r\nX-A: 1\r2\r\nContent-Length: 2\r\n\r\n{}', /malformed HTTP header/],
    ['both Content-Length and Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', /both Content-Length and Transfer-Encoding/],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', /unsupported Transfer-Encoding/],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', /invalid Content-Length/],
    ['a length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}', /invalid Content-Length/],
    ['a declared length over the cap', `HTTP/1.1 200 OK\r\nContent-Length: ${CAP + 1}\r\n\r\n{}`, /exceeds the 65536-byte cap/],
    ['a body cut short', `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, -1)}`, /aborted/],
    ['a chunked body cut short', chunked.slice(0, -5), /aborted/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', /malformed chunk/],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n', /malformed chunk/],
    ['a chunked body over the cap', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(CAP + 1).toString(16)}\r\n`, /exceeds the 65536-byte cap/],
    ['a close-framed body over the cap', `HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(CAP + 1)}`, /exceeds the 65536-byte cap/],
    ['a head over the limit', `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n{}`, /head exceeds/],
    ['a head that never ends', `HTTP/1.1 200 OK\r\n${'X-A: a\r\n'.repeat(MAX_HEAD_BYTES / 8 + 1)}`, /head exceeds/],
    ['no response at all', '', /closed before a response/],
  ])('refuses %s', (_name, response, message) => {
    for (const step of [1, 7, Infinity]) expect(read(response, step)).toMatch(message);
  });
});

/** A TCP server on 127.0.0.1 whose connections `onConnection` handles with raw bytes. */
async function rawServer(onConnection: (socket: Socket, request: Promise<string>) => void): Promise<{ server: Server; uri: string }> {
  const server = createServer((socket) => {
    let text = '';
    const request = new Promise<string>((resolve) => socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text);
    }));
    onConnection(socket, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks?x=1` };
}

describe('fetchJwksBody', () => {
  test('sends one GET with the path, query and host, and reads a response written a few bytes at a time', async () => {
    let seen = '';
    const { server, uri } = await rawServer((socket, request) => void request.then(async (text) => {
      seen = text;
      const bytes = Buffer.from(chunked, 'latin1');
      for (let i = 0; i < bytes.length; i += 9) {
        socket.write(bytes.subarray(i, i + 9));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }));
    try {
      expect((await fetchJwksBody(uri, 2000, CAP)).toString()).toBe(BODY);
      const port = new URL(uri).port;
      expect(seen).toBe(`GET /jwks?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
    } finally {
      server.close();
    }
  });

  test('rejects a connection closed in the middle of the body, and one refused', async () => {
    const { server, uri } = await rawServer((socket, request) => void request.then(() => {
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 5)}`);
    }));
    await expect(fetchJwksBody(uri, 2000, CAP)).rejects.toThrow(/aborted/);
    server.close();
    await new Promise((resolve) => server.once('close', resolve));
    await expect(fetchJwksBody(uri, 2000, CAP)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a server that accepts and never answers is cut off at the deadline', async () => {
    const { server, uri } = await rawServer(() => undefined);
    try {
      const started = Date.now();
      await expect(fetchJwksBody(uri, 200, CAP)).rejects.toThrow(/deadline/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      server.close();
    }
  });

  test('refuses a URI that is neither http nor https', async () => {
    await expect(fetchJwksBody('ftp://127.0.0.1/jwks', 200, CAP)).rejects.toThrow(/must be http\(s\)/);
  });

  test('over https, refuses a certificate the machine does not trust', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwks-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      let served = 0;
      const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (socket) => {
        served++;
        socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`);
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await expect(fetchJwksBody(`https://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, 2000, CAP)).rejects.toThrow(/self[- ]signed certificate/);
        expect(served).toBe(0);
      } finally {
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
