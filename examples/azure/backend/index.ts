/**
 * The example orders backend on Azure Functions (v4 programming model): the shared orders logic
 * (examples/backend/orders.ts) over Azure Tables, bundled ahead of synth into assets/azure-orders-backend.zip.
 * - The tenant and principal come from the headers API Management sets from the authorizer's decision (client copies
 *   overridden); the app is reachable only through its private endpoint with the function key API Management holds.
 * - Creation is idempotent per tenant and `Idempotency-Key`: the first request inserts an idempotency entity (an
 *   insert fails on an existing key, the table's own conditional write), retries read its stored result.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AZURE_TRUSTED_HEADERS } from '../../../lib/authorizer/adapters/azure-contract';
import { isEntityNotFound } from '../../../lib/authorizer/stores/azure-tables';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, SECURITY_HEADERS } from '../../../lib/spec/http';
import { Idempotent, Order, OrdersDeps, ordersApi, OrdersStore } from '../../backend/orders';

/**
 * App settings of the backend: the table endpoint of the app's own storage account (set by AzureFunctionBackends,
 * which grants the app Storage Table Data Contributor there), and the table names (set by the example stack).
 */
export const ORDERS_ENV = { tableEndpoint: 'APP_TABLE_ENDPOINT', ordersTable: 'ORDERS_TABLE', idempotencyTable: 'IDEMPOTENCY_TABLE' } as const;

const isConflict = (e: unknown): boolean => (e as { statusCode?: number } | null)?.statusCode === 409;
const tenantPartition = (tenantId: string): string => encodeURIComponent(`TENANT#${tenantId}`);

/** Orders in one table: partition per tenant, row per order. */
export class TablesOrdersStore implements OrdersStore {
  constructor(private readonly client: TableClient) {}

  async health(signal: AbortSignal): Promise<void> {
    try {
      await this.client.getEntity('HEALTH', 'HEALTH', { abortSignal: signal });
    } catch (e) {
      if (!isEntityNotFound(e)) throw e;
    }
  }

  async get(tenantId: string, id: string, signal: AbortSignal): Promise<Order | undefined> {
    try {
      const e = await this.client.getEntity<{ order: string }>(tenantPartition(tenantId), encodeURIComponent(`ORDER#${id}`), { abortSignal: signal });
      return JSON.parse(e.order) as Order;
    } catch (e) {
      if (isEntityNotFound(e)) return undefined;
      throw e;
    }
  }

  async insert(tenantId: string, order: Order, signal: AbortSignal): Promise<void> {
    await this.client.createEntity({ partitionKey: tenantPartition(tenantId), rowKey: encodeURIComponent(`ORDER#${order.id}`), order: JSON.stringify(order) }, { abortSignal: signal });
  }
}

/**
 * Idempotency on a table: an insert claims (tenant, key); a retry finds the claim and returns its stored result. A
 * claim without a result (the first attempt is still running, or failed) answers 409 to the retry, like Powertools.
 */
export function tablesIdempotency(client: TableClient, timeoutMs: number): Idempotent {
  return (create) => async (input) => {
    const partitionKey = tenantPartition(input.tenantId);
    const rowKey = encodeURIComponent(`IDEMPOTENCY#${input.idempotencyKey}`);
    try {
      await client.createEntity({ partitionKey, rowKey, status: 'INPROGRESS' }, { abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      if (!isConflict(e)) throw e;
      const claim = await client.getEntity<{ status: string; result?: string }>(partitionKey, rowKey, {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      if (claim.status === 'COMPLETED' && claim.result) return JSON.parse(claim.result) as Order;
      throw Object.assign(new Error('idempotent request already in progress'), { statusCode: 409 });
    }
    try {
      const order = await create(input);
      await client.updateEntity({ partitionKey, rowKey, status: 'COMPLETED', result: JSON.stringify(order) }, 'Replace', { abortSignal: AbortSignal.timeout(timeoutMs) });
      return order;
    } catch (e) {
      // Release the claim so the client can retry.
      await client.deleteEntity(partitionKey, rowKey).catch(() => undefined);
      throw e;
    }
  };
}

/** The route template of a path under the function's `/api` prefix. */
function routeOf(path: string): { route: string; pathParameters: Record<string, string> } {
  const p = path.replace(/^\/api/, '').replace(/\/+$/, '') || '/';
  const m = /^\/orders\/([^/]+)$/.exec(p);
  if (m) return { route: '/orders/{id}', pathParameters: { id: decodeURIComponent(m[1]) } };
  return { route: p, pathParameters: {} };
}

/** The HTTP handler over injected dependencies (tests inject Azurite-backed tables). */
export function createOrdersHandler(deps: OrdersDeps): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  const api = ordersApi(deps);
  return async (request, context) => {
    const { route, pathParameters } = routeOf(new URL(request.url).pathname);
    const tenantId = request.headers.get(AZURE_TRUSTED_HEADERS.tenantId) ?? '';
    const principalId = request.headers.get(AZURE_TRUSTED_HEADERS.principalId) ?? '';
    try {
      const r = await api({
        method: request.method.toUpperCase(),
        route,
        pathParameters,
        header: (name) => request.headers.get(name) ?? undefined,
        body: request.method === 'POST' ? await request.text() : undefined,
        caller: tenantId && principalId ? { tenantId, principalId } : undefined,
      });
      return { status: r.status, headers: r.headers, body: r.body };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode === 409 ? 409 : 500;
      context.error(JSON.stringify({ level: 'ERROR', invocationId: context.invocationId, error: err instanceof Error ? err.name : 'Unknown' }));
      return { status, headers: { ...SECURITY_HEADERS, [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE }, body: JSON.stringify({ message: status === 409 ? 'Request in progress' : 'Internal error', requestId: context.invocationId }) };
    }
  };
}

/** Dependencies from the app settings (managed identity to the tables). */
export function depsFromEnvironment(tables: (name: string) => TableClient): OrdersDeps {
  const timeoutMs = 2000;
  return {
    store: new TablesOrdersStore(tables(process.env[ORDERS_ENV.ordersTable] ?? 'orders')),
    idempotent: tablesIdempotency(tables(process.env[ORDERS_ENV.idempotencyTable] ?? 'idempotency'), timeoutMs),
    securityHeaders: SECURITY_HEADERS,
    callTimeoutMs: timeoutMs,
    now: () => new Date(),
    newId: () => randomUUID(),
    env: process.env,
  };
}
