/**
 * The orders API's logic, shared by both clouds: routing, input checks, tenant partitioning and idempotent creation,
 * over two small store interfaces. The Azure Functions adapter (examples/azure/backend) runs it on Azure Tables; the
 * responses carry the platform's security headers. Runtime code: no cloud SDK here.
 */

/** The caller as the gateway's authorizer established it (never from a client header). */
export interface TrustedCaller {
  readonly tenantId: string;
  readonly principalId: string;
}

/** A request as the adapters hand it over. */
export interface OrdersRequest {
  readonly method: string;
  /** The route template, e.g. `/orders/{id}`. */
  readonly route: string;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** Header lookup (case-insensitive). */
  readonly header: (name: string) => string | undefined;
  readonly body?: string;
  /** Undefined when the request did not come through the authorizer. */
  readonly caller?: TrustedCaller;
}

export interface OrdersResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Order {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  readonly note?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface CreateOrderInput {
  readonly tenantId: string;
  readonly principalId: string;
  readonly idempotencyKey: string;
  readonly sku: string;
  readonly quantity: number;
  readonly note?: string;
}

/** Orders, partitioned by tenant: one tenant can never read or overwrite another's. */
export interface OrdersStore {
  /** Resolves when the store answers (readiness). */
  health(signal: AbortSignal): Promise<void>;
  get(tenantId: string, id: string, signal: AbortSignal): Promise<Order | undefined>;
  /** Inserts; fails if the order exists. */
  insert(tenantId: string, order: Order, signal: AbortSignal): Promise<void>;
}

/** Runs `create` once per (tenant, idempotency key) and returns the first result to every retry. */
export type Idempotent = (input: CreateOrderInput, create: (input: CreateOrderInput) => Promise<Order>) => Promise<Order>;

export interface OrdersDeps {
  readonly store: OrdersStore;
  readonly idempotent: Idempotent;
  readonly securityHeaders: Readonly<Record<string, string>>;
  /** Deadline of each store call, in ms. */
  readonly callTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
}

const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{8,64}$/;

/** Routes one request. Errors of the stores propagate: the adapter answers them with a generic 500. */
export async function handleOrders(req: OrdersRequest, deps: OrdersDeps): Promise<OrdersResponse> {
  const respond = (status: number, body: unknown, extra: Record<string, string> = {}): OrdersResponse => ({
    status, headers: { ...deps.securityHeaders, 'Content-Type': 'application/json', ...extra }, body: JSON.stringify(body),
  });
  const signal = (): AbortSignal => AbortSignal.timeout(deps.callTimeoutMs);
  if (req.route === '/health' && req.method === 'GET') {
    try {
      await deps.store.health(signal());
      return respond(200, { status: 'ok' });
    } catch {
      return respond(503, { status: 'unavailable' });
    }
  }
  const caller = req.caller;
  if (!caller) return respond(403, { message: 'Forbidden' });
  if (req.route === '/orders/{id}' && req.method === 'GET') {
    const id = req.pathParameters.id ?? '';
    if (!ORDER_ID.test(id)) return respond(400, { message: 'Invalid order id' });
    const order = await deps.store.get(caller.tenantId, id, signal());
    // Another tenant's order is indistinguishable from a missing one.
    return order ? respond(200, order) : respond(404, { message: 'Not found' });
  }
  if (req.route === '/orders' && req.method === 'POST') {
    const key = req.header('idempotency-key');
    if (!key || !IDEMPOTENCY_KEY.test(key)) return respond(400, { message: 'Idempotency-Key header (8-64 letters, digits, hyphens) is required' });
    let body: { sku?: unknown; quantity?: unknown; note?: unknown };
    try {
      body = JSON.parse(req.body ?? '') as typeof body;
    } catch {
      return respond(400, { message: 'Body must be JSON' });
    }
    if (typeof body?.sku !== 'string' || typeof body.quantity !== 'number' || (body.note !== undefined && typeof body.note !== 'string')) {
      return respond(400, { message: 'Body must match the CreateOrder schema' });
    }
    const input: CreateOrderInput = {
      tenantId: caller.tenantId,
      principalId: caller.principalId,
      idempotencyKey: key,
      sku: body.sku,
      quantity: body.quantity,
      note: body.note as string | undefined,
    };
    const order = await deps.idempotent(input, async (i) => {
      const created: Order = {
        id: deps.newId(),
        sku: i.sku,
        quantity: i.quantity,
        ...(i.note === undefined ? {} : { note: i.note }),
        createdAt: deps.now().toISOString(),
        createdBy: i.principalId,
      };
      await deps.store.insert(i.tenantId, created, signal());
      return created;
    });
    return respond(201, order, { Location: `/orders/${order.id}` });
  }
  return respond(404, { message: 'Not found' });
}
