import { createHmac, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createAuthorizer } from '../../lib/authorizer';
import type { AuthorizerConfig, AuthorizerDependencies, AuthorizerEvent, AuthorizerResult } from '../../lib/authorizer';

export const now = (): number => Math.floor(Date.now() / 1000);
export const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export function rsaKey(kid: string, bits = 2048, alg = 'RS256'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function ecKey(kid: string, curve: 'P-256' | 'P-384' = 'P-256'): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const alg = curve === 'P-256' ? 'ES256' : 'ES384';
  return { kid, alg, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function edKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, alg: 'EdDSA', privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' } };
}

/** Signs a JWT with a real key; header and payload are taken as given (attacks included). */
export function signJwt(key: TestKey | null, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const h = { alg: key?.alg ?? 'none', typ: 'JWT', ...(key ? { kid: key.kid } : {}), ...header };
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(payload))}`;
  if (!key) return `${input}.`;
  const alg = String(h.alg);
  let sig: Buffer;
  if (alg.startsWith('RS')) sig = sign(`sha${alg.slice(2)}`, Buffer.from(input), key.privateKey);
  else if (alg.startsWith('ES')) sig = sign(`sha${alg.slice(2)}`, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = sign(null, Buffer.from(input), key.privateKey);
  return `${input}.${b64url(sig)}`;
}

export function hmacJwt(secret: string | Buffer, payload: Record<string, unknown>, header: Record<string, unknown>): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', ...header }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

export type JwksBehaviour = 'ok' | 'down' | 'slow' | 'garbage' | 'huge' | 'huge-chunked' | 'redirect' | 'hang-body' | 'not-json-keys';

/** A JWKS endpoint on 127.0.0.1 whose behaviour the test controls. */
export class JwksServer {
  behaviour: JwksBehaviour = 'ok';
  keys: Array<Record<string, unknown>> = [];
  requests = 0;
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  get uri(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/jwks`;
  }

  get issuer(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(_req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const body = JSON.stringify({ keys: this.keys });
    switch (this.behaviour) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        return;
      case 'down':
        res.writeHead(503).end('unavailable');
        return;
      case 'slow':
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), 5_000).unref();
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ this is not json');
        return;
      case 'not-json-keys':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "nope"}');
        return;
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
        res.write(`{"keys":[${'{"kty":"RSA"},'.repeat(1000)}`);
        return;
      case 'huge-chunked': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = 'x'.repeat(16 * 1024);
        let sent = 0;
        const pump = (): void => {
          if (res.destroyed || sent > 200) return;
          sent++;
          if (res.write(chunk)) setImmediate(pump);
          else res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'redirect':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      case 'hang-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        return;
    }
  }
}

export interface EventOptions {
  method?: string;
  resource?: string;
  path?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  pathParameters?: Record<string, string>;
  clientCertPem?: string;
  sourceIp?: string;
}

export const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/orders/42';

export function event(opts: EventOptions = {}): AuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: opts.resource ?? '/orders/{id}',
    path: opts.path ?? '/orders/42',
    httpMethod: opts.method ?? 'GET',
    headers: opts.headers ?? {},
    multiValueHeaders: opts.multiValueHeaders ?? Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k, [v]])),
    pathParameters: opts.pathParameters ?? { id: '42' },
    requestContext: {
      requestId: randomUUID(),
      identity: { sourceIp: opts.sourceIp ?? '203.0.113.7', clientCert: opts.clientCertPem ? { clientCertPem: opts.clientCertPem } : null },
    },
  };
}

export function bearer(token: string, extra: Omit<EventOptions, 'headers'> & { headers?: Record<string, string> } = {}): AuthorizerEvent {
  return event({ ...extra, headers: { Authorization: `Bearer ${token}`, ...(extra.headers ?? {}) } });
}

/** Collects decision lines. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly sink = (line: string): void => {
    this.raw.push(line);
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  };

  get decisions(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.message === 'authorizer decision');
  }

  get last(): Record<string, unknown> {
    const d = this.decisions;
    return d[d.length - 1];
  }
}

/** The outcome as API Gateway would see it. */
export type Outcome =
  | { status: 200; result: AuthorizerResult }
  | { status: 401 }
  | { status: 403; result: AuthorizerResult }
  | { status: 500; error: unknown };

export async function outcome(p: Promise<AuthorizerResult>): Promise<Outcome> {
  try {
    const result = await p;
    const effect = result.policyDocument.Statement[0].Effect;
    return effect === 'Allow' ? { status: 200, result } : { status: 403, result };
  } catch (e) {
    if (e instanceof Error && e.message === 'Unauthorized') return { status: 401 };
    return { status: 500, error: e };
  }
}

/** Builds an authorizer for the tests: the Lambda's by default; a test file may run the same tests through another adapter. */
export type AuthorizerRuntime = (config: AuthorizerConfig, deps?: AuthorizerDependencies) => (event: AuthorizerEvent) => Promise<AuthorizerResult>;
let currentRuntime: AuthorizerRuntime = createAuthorizer;
/** The runtime the shared test files build authorizers with. */
export const authorizerRuntime = (): AuthorizerRuntime => currentRuntime;
/** Runs the shared test files of this module registry through `runtime` (e.g. the Azure Function adapter). */
export function useRuntime(runtime: AuthorizerRuntime): void {
  currentRuntime = runtime;
}

export function baseConfig(issuer: string, jwksUri: string, extra: Partial<AuthorizerConfig> = {}): AuthorizerConfig {
  return {
    issuers: [{ issuer, jwksUri, audience: ['urn:api:orders'], algorithms: ['RS256', 'ES256', 'EdDSA'] }],
    routes: {
      'GET /orders/{id}': { scopes: ['orders:read'] },
      'POST /orders': { scopes: ['orders:write'] },
      'GET /health': {},
    },
    revocation: { enabled: false },
    tenants: { enabled: false },
    ...extra,
  };
}

export function claims(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return {
    iss: issuer,
    sub: 'user-1',
    aud: 'urn:api:orders',
    iat: t,
    exp: t + 300,
    scope: 'orders:read',
    tenant_id: 'acme',
    jti: randomUUID(),
    client_id: 'client-1',
    ...extra,
  };
}
