// The Azure Functions adapter of the shared orders logic, in-process through the @azure/functions v4 handler, over
// Azure Tables served by a real local server (azurite 3.35): the same cases as the Lambda adapter.
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { OrdersAnswer, OrdersCall, ordersContract } from './orders-contract';
import { createOrdersHandler, tablesIdempotency, TablesOrdersStore } from '../../examples/azure/backend';
import { OrdersDeps } from '../../examples/backend/orders';
import { AZURE_TRUSTED_HEADERS } from '../../lib/authorizer/adapters/azure-contract';
import { SECURITY_HEADERS } from '../../lib/spec/http';
import { startAzuriteTables } from '../support/azurite';

let azurite: Awaited<ReturnType<typeof startAzuriteTables>>;
let deps: OrdersDeps;
let ids = 0;
const tableName = (prefix: string): string => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

beforeAll(async () => {
  azurite = await startAzuriteTables();
  const orders = azurite.table(tableName('orders'));
  const idempotency = azurite.table(tableName('idem'));
  await Promise.all([orders.createTable(), idempotency.createTable()]);
  deps = {
    store: new TablesOrdersStore(orders),
    idempotent: tablesIdempotency(idempotency, 2000),
    securityHeaders: SECURITY_HEADERS,
    callTimeoutMs: 2000,
    now: () => new Date('2026-11-22T00:00:00Z'),
    newId: () => `order-${++ids}`,
  };
}, 60_000);
afterAll(async () => azurite?.stop());

/**
 * API Management's call to the backend: the path under the function's `/api` prefix, the trusted headers set from the
 * authorizer's decision (a client's copies are overridden there), the client's other headers as sent.
 */
function request(c: OrdersCall): HttpRequest {
  const path = c.route.replace('{id}', encodeURIComponent(c.id ?? ''));
  const headers: Record<string, string> = { ...c.headers };
  if (c.tenant) {
    headers[AZURE_TRUSTED_HEADERS.tenantId] = c.tenant;
    headers[AZURE_TRUSTED_HEADERS.principalId] = `user-of-${c.tenant}`;
  }
  return new HttpRequest({
    method: c.method,
    url: `https://orders-backend.azurewebsites.net/api${path}`,
    headers,
    ...(c.body === undefined || c.body === null ? {} : { body: { string: c.body } }),
  });
}

async function through(d: OrdersDeps, c: OrdersCall): Promise<OrdersAnswer> {
  const context = new InvocationContext({ invocationId: randomUUID(), functionName: 'orders', logHandler: () => undefined });
  const r = await createOrdersHandler(d)(request(c), context);
  return { status: r.status ?? 200, headers: r.headers as Record<string, string>, body: String(r.body) };
}

describe('the orders API on Azure Functions', () => {
  ordersContract(() => ({
    call: (c) => through(deps, c),
    // A table that does not exist: the store cannot answer (not an absent entity).
    callWithBrokenStore: (c) => through({ ...deps, store: new TablesOrdersStore(azurite.table(tableName('missing'))) }, c),
    created: () => ids,
    securityHeaders: SECURITY_HEADERS,
  }));
});

test('a retry while the first attempt is still running answers 409 and creates nothing', async () => {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const store = deps.store;
  const slow: OrdersDeps = {
    ...deps,
    store: {
      health: (signal) => store.health(signal),
      get: (tenantId, id, signal) => store.get(tenantId, id, signal),
      insert: async (tenantId, order, signal) => {
        entered();
        await gate;
        return store.insert(tenantId, order, signal);
      },
    },
  };
  const call: OrdersCall = { method: 'POST', route: '/orders', tenant: 'acme', headers: { 'Idempotency-Key': 'key-inflight-1' }, body: '{"sku":"SKU-1","quantity":1}' };
  const before = ids;
  const first = through(slow, call);
  // The order is written after the claim: once the first attempt is inside the insert, its claim exists.
  await inside;
  const retry = await through(slow, call);
  expect(retry.status).toBe(409);
  expect(ids).toBe(before + 1);
  release();
  const done = await first;
  expect(done.status).toBe(201);
  // Once completed, a retry gets the first result.
  expect((await through(deps, call)).body).toBe(done.body);
  expect(ids).toBe(before + 1);
});
