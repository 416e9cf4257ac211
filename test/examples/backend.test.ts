import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BackendFunction } from '../../constructs/aws/platform/backend-function';
import { BackendDeps, CreateOrderInput, orderWriter, route, SECURITY_HEADERS } from '../../examples/aws/backend';
import { exampleSpec } from '../../examples/spec';
import { resolveSpec } from '../../lib/spec';
import { createTable, startDynalite } from '../support/dynalite';

let db: Awaited<ReturnType<typeof startDynalite>>;
let deps: BackendDeps;
let create: (input: CreateOrderInput) => Promise<unknown>;
let ids = 0;

beforeAll(async () => {
  db = await startDynalite();
  await createTable(db.client, 'orders', 'pk', 'sk');
  await createTable(db.client, 'idempotency', 'id');
  deps = {
    ordersTable: 'orders',
    documentClient: DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }),
    callTimeoutMs: 2000,
    now: () => new Date('2026-11-22T00:00:00Z'),
    newId: () => `order-${++ids}`,
  };
  const idempotent = makeIdempotent(orderWriter(deps), {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: db.client }),
    config: new IdempotencyConfig({ eventKeyJmesPath: '[tenantId, idempotencyKey]', expiresAfterSeconds: 3600, throwOnNoIdempotencyKey: true }),
  });
  create = (input) => idempotent(input);
});
afterAll(async () => db.stop());

interface EventOptions { tenant?: string; body?: unknown; headers?: Record<string, string>; id?: string }
function event(method: string, resource: string, opts: EventOptions = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: resource,
    headers: opts.headers ?? {},
    pathParameters: opts.id ? { id: opts.id } : null,
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    requestContext: { authorizer: opts.tenant ? { tenantId: opts.tenant, principalId: `user-of-${opts.tenant}` } : null },
  } as unknown as APIGatewayProxyEvent;
}
const run = (e: APIGatewayProxyEvent) => route(e, deps, create as (i: CreateOrderInput) => never);

test('a write with the same Idempotency-Key returns the first result and stores one order', async () => {
  const e = event('POST', '/orders', { tenant: 'acme', body: { sku: 'SKU-1', quantity: 2 }, headers: { 'Idempotency-Key': 'key-00000001' } });
  const first = await run(e);
  const second = await run(e);
  expect(first.statusCode).toBe(201);
  expect(second.body).toBe(first.body);
  expect(JSON.parse(first.body)).toMatchObject({ id: 'order-1', sku: 'SKU-1', quantity: 2, createdBy: 'user-of-acme' });
  expect(ids).toBe(1);
});

test('the same Idempotency-Key from another tenant is a different write', async () => {
  const r = await run(event('POST', '/orders', { tenant: 'globex', body: { sku: 'SKU-1', quantity: 2 }, headers: { 'Idempotency-Key': 'key-00000001' } }));
  expect(r.statusCode).toBe(201);
  expect(JSON.parse(r.body).id).toBe('order-2');
});

test('tenants cannot read each other\'s orders: the tenant comes from the authorizer, a client header is ignored', async () => {
  const own = await run(event('GET', '/orders/{id}', { tenant: 'acme', id: 'order-1' }));
  expect(own.statusCode).toBe(200);
  const other = await run(event('GET', '/orders/{id}', { tenant: 'globex', id: 'order-1', headers: { 'x-tenant-id': 'acme' } }));
  expect(other.statusCode).toBe(404);
});

test('without the authorizer context the request is refused', async () => {
  const r = await run(event('GET', '/orders/{id}', { id: 'order-1', headers: { 'x-tenant-id': 'acme' } }));
  expect(r.statusCode).toBe(403);
});

test('bad input gets a 400 that reveals nothing internal', async () => {
  expect((await run(event('POST', '/orders', { tenant: 'acme', body: { sku: 'X', quantity: 1 } }))).statusCode).toBe(400);
  expect((await run(event('GET', '/orders/{id}', { tenant: 'acme', id: '../../etc' }))).statusCode).toBe(400);
});

test('every response carries the security headers; readiness reflects the data store', async () => {
  const health = await run(event('GET', '/health'));
  expect(health.statusCode).toBe(200);
  expect(health.headers).toMatchObject(SECURITY_HEADERS);
  const down = await route(event('GET', '/health'), { ...deps, ordersTable: 'missing-table' }, create as never);
  expect(down.statusCode).toBe(503);
});

describe('every body gets a 400, never a 500 (the backend validates again, whatever the gateway let through)', () => {
  const post = (body: string | null, headers: Record<string, string> = {}): APIGatewayProxyEvent => ({
    ...event('POST', '/orders', { tenant: 'acme', headers: { 'Idempotency-Key': 'key-bodies-01', ...headers } }), body,
  });
  const bodies: [string, string | null][] = [
    ['null', 'null'], ['no body', null], ['empty', ''], ['a string', '"SKU-1"'], ['a number', '42'], ['true', 'true'], ['an array', '[{"sku":"SKU-1","quantity":1}]'],
    ['not JSON', 'sku=SKU-1&quantity=1'], ['sku null', '{"sku":null,"quantity":1}'], ['negative quantity', '{"sku":"SKU-1","quantity":-5}'],
    ['fractional quantity', '{"sku":"SKU-1","quantity":1.5}'], ['quantity as a string', '{"sku":"SKU-1","quantity":"1"}'],
    ['an extra field', '{"sku":"SKU-1","quantity":1,"price":0}'], ['a 5 KB note', JSON.stringify({ sku: 'SKU-1', quantity: 1, note: 'x'.repeat(5000) })],
    ['__proto__', '{"sku":"SKU-1","quantity":1,"__proto__":{"admin":true}}'],
  ];
  test.each(bodies)('%s', async (_name, body) => {
    const before = ids;
    const r = await run(post(body, { 'Content-Type': 'text/plain' }));
    expect(r.statusCode).toBe(400);
    expect(ids).toBe(before);
    expect(JSON.parse(r.body)).toEqual({ message: expect.any(String) });
  });
  test('a valid body sent as text/plain is still a valid order', async () => {
    const r = await run(post('{"sku":"SKU-9","quantity":3}', { 'content-type': 'text/plain', 'idempotency-key': 'key-bodies-02' }));
    expect(r.statusCode).toBe(201);
  });
});

describe('CORS on real responses: the allowlist the platform renders into the backend, read by the real handler', () => {
  // One side from the synthesized template (the backend function's environment), the other the backend's own code.
  const env = (() => {
    const stack = new Stack();
    new BackendFunction(stack, 'Backend', {
      spec: resolveSpec(exampleSpec('aws', { lean: true })), description: 'orders v1', code: lambda.Code.fromInline('x'), key: new kms.Key(stack, 'Key'),
    });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    return fn.Properties.Environment.Variables as Record<string, string>;
  })();
  const call = (origin?: string) => route(
    event('GET', '/orders/{id}', { tenant: 'acme', id: '../x', headers: origin ? { origin } : {} }), { ...deps, env }, create as never,
  );

  test('an allowlisted origin is echoed, with Vary: Origin', async () => {
    const r = await call('https://app.example.com');
    expect(r.statusCode).toBe(400);
    expect(r.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Vary': 'Origin' });
  });
  test.each([['another origin', 'https://evil.example.net'], ['a prefix trick', 'https://app.example.com.evil.net'], ['null', 'null'], ['no origin', undefined]])(
    '%s gets no CORS header', async (_n, origin) => {
      const r = await call(origin);
      expect(Object.keys(r.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
    });
  test('without an allowlist in the environment, no CORS header at all', async () => {
    const r = await route(event('GET', '/orders/{id}', { tenant: 'acme', id: '../x', headers: { origin: 'https://app.example.com' } }), { ...deps, env: {} }, create as never);
    expect(Object.keys(r.headers ?? {}).filter((h) => /^(access-control-|vary)/i.test(h))).toEqual([]);
  });
});
