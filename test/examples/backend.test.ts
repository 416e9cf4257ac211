import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OrdersAnswer, OrdersCall, ordersContract } from './orders-contract';
import { BackendFunction } from '../../constructs/aws/platform/backend-function';
import { createOrdersHandler, DynamoDbOrdersStore, powertoolsIdempotency, SECURITY_HEADERS } from '../../examples/aws/backend';
import { OrdersDeps } from '../../examples/backend/orders';
import { exampleSpec } from '../../examples/spec';
import { resolveSpec } from '../../lib/spec';
import { createTable, startDynalite } from '../support/dynalite';

// The Lambda adapter of the shared orders logic, over DynamoDB (dynalite) and Powertools' DynamoDB idempotency layer.
let db: Awaited<ReturnType<typeof startDynalite>>;
let deps: OrdersDeps;
let ids = 0;

beforeAll(async () => {
  db = await startDynalite();
  await createTable(db.client, 'orders', 'pk', 'sk');
  await createTable(db.client, 'idempotency', 'id');
  const documentClient = DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } });
  deps = {
    store: new DynamoDbOrdersStore(documentClient, 'orders'),
    idempotent: powertoolsIdempotency(db.client, 'idempotency', 3600),
    securityHeaders: SECURITY_HEADERS,
    callTimeoutMs: 2000,
    now: () => new Date('2026-11-22T00:00:00Z'),
    newId: () => `order-${++ids}`,
  };
});
afterAll(async () => db.stop());

/** API Gateway's proxy event for a call: the trusted caller in the authorizer context, the client's headers as sent. */
function event(c: OrdersCall): APIGatewayProxyEvent {
  return {
    httpMethod: c.method,
    resource: c.route,
    path: c.route,
    headers: c.headers ?? {},
    pathParameters: c.id ? { id: c.id } : null,
    body: c.body ?? null,
    requestContext: { authorizer: c.tenant ? { tenantId: c.tenant, principalId: `user-of-${c.tenant}` } : null },
  } as unknown as APIGatewayProxyEvent;
}

async function through(d: OrdersDeps, c: OrdersCall): Promise<OrdersAnswer> {
  const r = await createOrdersHandler(d)(event(c), { awsRequestId: 'req-1' });
  return { status: r.statusCode, headers: (r.headers ?? {}) as Record<string, string>, body: r.body };
}

describe('the orders API on Lambda', () => {
  ordersContract(() => ({
    call: (c) => through(deps, c),
    callWithBrokenStore: (c) => through({ ...deps, store: new DynamoDbOrdersStore(DynamoDBDocumentClient.from(db.client), 'missing-table') }, c),
    created: () => ids,
    securityHeaders: SECURITY_HEADERS,
  }));
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
  const call = (origin?: string) => through({ ...deps, env }, { method: 'GET', route: '/orders/{id}', tenant: 'acme', id: '../x', headers: origin ? { origin } : {} });

  test('an allowlisted origin is echoed, with Vary: Origin', async () => {
    const r = await call('https://app.example.com');
    expect(r.status).toBe(400);
    expect(r.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Vary': 'Origin' });
  });
  test.each([['another origin', 'https://evil.example.net'], ['a prefix trick', 'https://app.example.com.evil.net'], ['null', 'null'], ['no origin', undefined]])(
    '%s gets no CORS header', async (_n, origin) => {
      const r = await call(origin);
      expect(Object.keys(r.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
    });
  test('without an allowlist in the environment, no CORS header at all', async () => {
    const r = await through({ ...deps, env: {} }, { method: 'GET', route: '/orders/{id}', tenant: 'acme', id: '../x', headers: { origin: 'https://app.example.com' } });
    expect(Object.keys(r.headers ?? {}).filter((h) => /^(access-control-|vary)/i.test(h))).toEqual([]);
  });
});
