/**
 * The orders API's logic, shared by both clouds: routing, input checks (the spec's JSON Schema, again), tenant
 * partitioning, idempotent creation and CORS on real responses, over a small store interface. Two thin adapters run
 * it: the Lambda (examples/aws/backend: DynamoDB, Powertools idempotency) and the Azure Function
 * (examples/azure/backend: Azure Tables). Runtime code: no cloud SDK here.
 */
import Ajv04 from 'ajv-draft-04';
import { DENIAL_MESSAGES } from '../../lib/spec/contracts/identity';
import { CONTENT_TYPE_HEADER, corsResponseHeaders, IDEMPOTENCY_KEY_HEADER, JSON_CONTENT_TYPE } from '../../lib/spec/http';
import { orderSchema } from '../spec';

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

/** Creates one order (the store write); the idempotency layer wraps it. */
export type CreateOrder = (input: CreateOrderInput) => Promise<Order>;

/**
 * The persistence layer of idempotency: wraps `create` so it runs once per (tenant, idempotency key) and every retry
 * gets the first result. Powertools' DynamoDB layer on AWS, an Azure Tables claim on Azure.
 */
export type Idempotent = (create: CreateOrder) => CreateOrder;

export interface OrdersDeps {
  readonly store: OrdersStore;
  readonly idempotent: Idempotent;
  readonly securityHeaders: Readonly<Record<string, string>>;
  /** Deadline of each store call, in ms. */
  readonly callTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
  /**
   * Where the CORS allowlist comes from (the backend's environment, set by the platform: lib/spec/http).
   * @default - no CORS headers
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9-]{8,64}$/;

/**
 * The gateway validates bodies against the same schema (every Content-Type); the backend checks again, so a body that
 * reaches it another way, or one the gateway let through, gets a 400 rather than a crash: `null`, arrays, strings.
 */
const validateOrder = new Ajv04({ strict: false, allErrors: false }).compile<{ sku: string; quantity: number; note?: string }>(orderSchema);

/** Writes one order through the store; the tenant partitions the key so tenants never collide or read each other. */
export function orderCreator(deps: Pick<OrdersDeps, 'store' | 'callTimeoutMs' | 'now' | 'newId'>): CreateOrder {
  return async (input) => {
    // No undefined members: the idempotency record stores the result as it is.
    const order: Order = {
      id: deps.newId(),
      sku: input.sku,
      quantity: input.quantity,
      ...(input.note === undefined ? {} : { note: input.note }),
      createdAt: deps.now().toISOString(),
      createdBy: input.principalId,
    };
    await deps.store.insert(input.tenantId, order, AbortSignal.timeout(deps.callTimeoutMs));
    return order;
  };
}

/**
 * The orders API over its dependencies: one function per process (the idempotency layer wraps the creator once).
 * Errors of the stores propagate: the adapter answers them with a generic 500.
 */
export function ordersApi(deps: OrdersDeps): (req: OrdersRequest) => Promise<OrdersResponse> {
  const create = deps.idempotent(orderCreator(deps));
  return async (req) => {
    // CORS on every real response, for allowlisted origins only (the gateway answers the preflight).
    const cors = corsResponseHeaders(req.header('Origin'), deps.env ?? {});
    const respond = (status: number, body: unknown, extra: Record<string, string> = {}): OrdersResponse => ({
      status, headers: { ...deps.securityHeaders, [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE, ...cors, ...extra }, body: JSON.stringify(body),
    });
    const signal = (): AbortSignal => AbortSignal.timeout(deps.callTimeoutMs);
    if (req.route === '/health' && req.method === 'GET') {
      // Readiness: the region is healthy only if its data store answers within the deadline.
      try {
        await deps.store.health(signal());
        return respond(200, { status: 'ok' });
      } catch {
        return respond(503, { status: 'unavailable' });
      }
    }
    const caller = req.caller;
    if (!caller) return respond(403, { message: DENIAL_MESSAGES[403] });
    if (req.route === '/orders/{id}' && req.method === 'GET') {
      const id = req.pathParameters.id ?? '';
      if (!ORDER_ID.test(id)) return respond(400, { message: 'Invalid order id' });
      const order = await deps.store.get(caller.tenantId, id, signal());
      // Another tenant's order is indistinguishable from a missing one.
      return order ? respond(200, order) : respond(404, { message: 'Not found' });
    }
    if (req.route === '/orders' && req.method === 'POST') {
      const key = req.header(IDEMPOTENCY_KEY_HEADER);
      if (!key || !IDEMPOTENCY_KEY.test(key)) return respond(400, { message: `${IDEMPOTENCY_KEY_HEADER} header (8-64 letters, digits, hyphens) is required` });
      let body: unknown;
      try {
        body = JSON.parse(req.body ?? '');
      } catch {
        return respond(400, { message: 'Body must be JSON' });
      }
      if (!validateOrder(body)) return respond(400, { message: 'Body must be a CreateOrder object: sku, quantity 1-1000, optional note up to 280 characters, nothing else' });
      const order = await create({
        tenantId: caller.tenantId, principalId: caller.principalId, idempotencyKey: key, sku: body.sku, quantity: body.quantity, note: body.note,
      });
      return respond(201, order, { Location: `/orders/${order.id}` });
    }
    return respond(404, { message: 'Not found' });
  };
}
