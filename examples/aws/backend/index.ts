/**
 * The example backend behind the orders API (runtime code, bundled ahead of synth into assets/orders-backend).
 * - The tenant and principal come from the authorizer's context (trusted), never from client headers.
 * - Writes are idempotent per tenant and `Idempotency-Key` (Powertools idempotency, a regional table: a global
 *   table replicates eventually and cannot give cross-region idempotency).
 * - The SDK retries with exponential backoff and jitter (adaptive mode); every call has a deadline.
 * - Success responses carry the security headers API Gateway cannot add to proxy responses; errors reveal nothing.
 */
import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import Ajv04 from 'ajv-draft-04';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { corsResponseHeaders, IDEMPOTENCY_KEY_HEADER, SECURITY_HEADERS as PLATFORM_SECURITY_HEADERS } from '../../../lib/spec/http';
import { orderSchema } from '../../spec';

/** The platform's security headers (the same set the gateway and CDN add), plus the JSON content type. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = { ...PLATFORM_SECURITY_HEADERS, 'Content-Type': 'application/json' };

export interface BackendDeps {
  readonly ordersTable: string;
  readonly documentClient: DynamoDBDocumentClient;
  /** Deadline of each DynamoDB call, in ms. */
  readonly callTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Where the CORS allowlist comes from (the function's environment, set by the platform). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The gateway validates bodies against the same schema (every Content-Type); the backend checks again, so a body that
 * reaches it another way, or one the gateway let through, gets a 400 rather than a crash: `null`, arrays, strings.
 */
const validateOrder = new Ajv04({ strict: false, allErrors: false }).compile<CreateOrderBody>(orderSchema);
type CreateOrderBody = { sku: string; quantity: number; note?: string };

/** A request header, whatever its case (API Gateway passes the client's spelling). */
function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const hit = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === wanted);
  return hit?.[1] ?? undefined;
}

/** The request body as JSON, or undefined when it is not JSON at all. */
function jsonBody(event: APIGatewayProxyEvent): { value: unknown } | undefined {
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
    return { value: JSON.parse(raw) as unknown };
  } catch {
    return undefined;
  }
}

export interface TrustedCaller {
  readonly tenantId: string;
  readonly principalId: string;
}

const response = (statusCode: number, body: unknown, extra: Record<string, string> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, ...extra },
  body: JSON.stringify(body),
});

/** The caller as the authorizer established it; a request without it never reached here legitimately. */
export function trustedCaller(event: APIGatewayProxyEvent): TrustedCaller | undefined {
  const ctx = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const tenantId = typeof ctx?.tenantId === 'string' ? ctx.tenantId : undefined;
  const principalId = typeof ctx?.principalId === 'string' ? ctx.principalId : undefined;
  return tenantId && principalId ? { tenantId, principalId } : undefined;
}

/** Routes a request; exported for tests with injected dependencies. */
export async function route(
  event: APIGatewayProxyEvent,
  deps: BackendDeps,
  createOrder: (input: CreateOrderInput) => Promise<Order>,
): Promise<APIGatewayProxyResult> {
  const signal = (): AbortSignal => AbortSignal.timeout(deps.callTimeoutMs);
  // CORS on every real response, for allowlisted origins only (the gateway answers the preflight).
  const cors = corsResponseHeaders(header(event, 'Origin'), deps.env ?? {});
  const respond = (statusCode: number, body: unknown, extra: Record<string, string> = {}): APIGatewayProxyResult =>
    response(statusCode, body, { ...cors, ...extra });
  if (event.resource === '/health' && event.httpMethod === 'GET') {
    // Readiness: the region is healthy only if its data store answers within the deadline.
    try {
      await deps.documentClient.send(new GetCommand({ TableName: deps.ordersTable, Key: { pk: 'HEALTH', sk: 'HEALTH' } }), { abortSignal: signal() });
      return respond(200, { status: 'ok' });
    } catch {
      return respond(503, { status: 'unavailable' });
    }
  }
  const caller = trustedCaller(event);
  if (!caller) return respond(403, { message: 'Forbidden' });

  if (event.resource === '/orders/{id}' && event.httpMethod === 'GET') {
    const id = event.pathParameters?.id ?? '';
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return respond(400, { message: 'Invalid order id' });
    const r = await deps.documentClient.send(new GetCommand({ TableName: deps.ordersTable, Key: { pk: `TENANT#${caller.tenantId}`, sk: `ORDER#${id}` } }), { abortSignal: signal() });
    // Another tenant's order is indistinguishable from a missing one.
    if (!r.Item) return respond(404, { message: 'Not found' });
    return respond(200, toOrder(r.Item));
  }

  if (event.resource === '/orders' && event.httpMethod === 'POST') {
    const key = header(event, IDEMPOTENCY_KEY_HEADER);
    if (!key || !/^[A-Za-z0-9-]{8,64}$/.test(key)) return respond(400, { message: `${IDEMPOTENCY_KEY_HEADER} header (8-64 letters, digits, hyphens) is required` });
    const parsed = jsonBody(event);
    if (!parsed) return respond(400, { message: 'Body must be JSON' });
    const body = parsed.value;
    if (!validateOrder(body)) return respond(400, { message: 'Body must be a CreateOrder object: sku, quantity 1-1000, optional note up to 280 characters, nothing else' });
    const order = await createOrder({
      tenantId: caller.tenantId, principalId: caller.principalId, idempotencyKey: key, sku: body.sku, quantity: body.quantity, note: body.note,
    });
    return respond(201, order, { Location: `/orders/${order.id}` });
  }
  return respond(404, { message: 'Not found' });
}

export interface CreateOrderInput {
  readonly tenantId: string;
  readonly principalId: string;
  readonly idempotencyKey: string;
  readonly sku: string;
  readonly quantity: number;
  readonly note?: string;
}
export interface Order {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  readonly note?: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

function toOrder(item: Record<string, unknown>): Order {
  return {
    id: String(item.id),
    sku: String(item.sku),
    quantity: Number(item.quantity),
    ...(item.note === undefined ? {} : { note: String(item.note) }),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
  };
}

/** Writes an order once; the tenant partitions the key so tenants can never collide or read each other. */
export function orderWriter(deps: BackendDeps): (input: CreateOrderInput) => Promise<Order> {
  return async (input) => {
    // No undefined fields: the idempotency record stores the result as it is.
    const order: Order = {
      id: deps.newId(),
      sku: input.sku,
      quantity: input.quantity,
      ...(input.note === undefined ? {} : { note: input.note }),
      createdAt: deps.now().toISOString(),
      createdBy: input.principalId,
    };
    await deps.documentClient.send(
      new PutCommand({
        TableName: deps.ordersTable,
        Item: { pk: `TENANT#${input.tenantId}`, sk: `ORDER#${order.id}`, ...order },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      { abortSignal: AbortSignal.timeout(deps.callTimeoutMs) },
    );
    return order;
  };
}

// ---- Lambda wiring (module scope: once per cold start) ----
const client = new DynamoDBClient({ maxAttempts: 3, retryMode: 'adaptive' });
const deps: BackendDeps = {
  ordersTable: process.env.ORDERS_TABLE ?? '',
  documentClient: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  callTimeoutMs: Number(process.env.CALL_TIMEOUT_MS ?? 2000),
  now: () => new Date(),
  newId: () => randomUUID(),
  env: process.env,
};
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE ?? '', awsSdkV3Client: client });
const idempotentCreate = makeIdempotent(orderWriter(deps), {
  persistenceStore,
  // The key is the tenant plus the client's Idempotency-Key: one tenant's key never answers another's request.
  config: new IdempotencyConfig({ eventKeyJmesPath: '[tenantId, idempotencyKey]', expiresAfterSeconds: 24 * 3600, throwOnNoIdempotencyKey: true }),
});

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  try {
    return await route(event, deps, (input) => idempotentCreate(input));
  } catch (err) {
    // Detail to the log only; the client gets a generic error with the request id to quote.
    console.error(JSON.stringify({ level: 'ERROR', requestId: context.awsRequestId, error: err instanceof Error ? err.name : 'Unknown' }));
    return response(500, { message: 'Internal error', requestId: context.awsRequestId }, corsResponseHeaders(header(event, 'Origin'), process.env));
  }
};
