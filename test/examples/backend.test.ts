import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BackendDeps, CreateOrderInput, orderWriter, route, SECURITY_HEADERS } from '../../examples/aws/backend';
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
