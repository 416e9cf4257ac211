/**
 * The example orders backend on Lambda (runtime code, bundled ahead of synth into assets/orders-backend): the shared
 * orders logic (examples/backend/orders.ts) behind a thin API Gateway adapter, over DynamoDB.
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
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { CONTENT_TYPE_HEADER, corsResponseHeaders, JSON_CONTENT_TYPE, SECURITY_HEADERS as PLATFORM_SECURITY_HEADERS } from '../../../lib/spec/http';
import { Idempotent, Order, OrdersDeps, ordersApi, OrdersRequest, OrdersResponse, OrdersStore, TrustedCaller } from '../../backend/orders';

export type { CreateOrderInput, Order } from '../../backend/orders';

/** The platform's security headers (the same set the gateway and CDN add), plus the JSON content type. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = { ...PLATFORM_SECURITY_HEADERS, [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE };

const tenantKey = (tenantId: string): string => `TENANT#${tenantId}`;

/** Orders in one DynamoDB table: partition per tenant (`TENANT#<id>`), sort key per order (`ORDER#<id>`). */
export class DynamoDbOrdersStore implements OrdersStore {
  constructor(private readonly documentClient: DynamoDBDocumentClient, private readonly tableName: string) {}

  async health(signal: AbortSignal): Promise<void> {
    await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }), { abortSignal: signal });
  }

  async get(tenantId: string, id: string, signal: AbortSignal): Promise<Order | undefined> {
    const r = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: { pk: tenantKey(tenantId), sk: `ORDER#${id}` } }), { abortSignal: signal });
    if (!r.Item) return undefined;
    const item = r.Item;
    return {
      id: String(item.id),
      sku: String(item.sku),
      quantity: Number(item.quantity),
      ...(item.note === undefined ? {} : { note: String(item.note) }),
      createdAt: String(item.createdAt),
      createdBy: String(item.createdBy),
    };
  }

  async insert(tenantId: string, order: Order, signal: AbortSignal): Promise<void> {
    await this.documentClient.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: tenantKey(tenantId), sk: `ORDER#${order.id}`, ...order }, ConditionExpression: 'attribute_not_exists(pk)' }),
      { abortSignal: signal },
    );
  }
}

/**
 * Powertools idempotency over its DynamoDB persistence layer. The key is the tenant plus the client's
 * Idempotency-Key: one tenant's key never answers another's request.
 */
export function powertoolsIdempotency(client: DynamoDBClient, tableName: string, expiresAfterSeconds = 24 * 3600): Idempotent {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const config = new IdempotencyConfig({ eventKeyJmesPath: '[tenantId, idempotencyKey]', expiresAfterSeconds, throwOnNoIdempotencyKey: true });
  return (create) => makeIdempotent(create, { persistenceStore, config });
}

/** A request header, whatever its case (API Gateway passes the client's spelling). */
function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const hit = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === wanted);
  return hit?.[1] ?? undefined;
}

/** The caller as the authorizer established it; a request without it never reached here legitimately. */
export function trustedCaller(event: APIGatewayProxyEvent): TrustedCaller | undefined {
  const ctx = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const tenantId = typeof ctx?.tenantId === 'string' ? ctx.tenantId : undefined;
  const principalId = typeof ctx?.principalId === 'string' ? ctx.principalId : undefined;
  return tenantId && principalId ? { tenantId, principalId } : undefined;
}

/** The shared logic's request from API Gateway's proxy event. */
export function ordersRequest(event: APIGatewayProxyEvent): OrdersRequest {
  const raw = event.body ?? undefined;
  return {
    method: event.httpMethod,
    route: event.resource,
    pathParameters: event.pathParameters ?? {},
    header: (name) => header(event, name),
    body: raw !== undefined && event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
    caller: trustedCaller(event),
  };
}

const proxyResult = (r: OrdersResponse): APIGatewayProxyResult => ({ statusCode: r.status, headers: r.headers, body: r.body });

/** The Lambda handler over injected dependencies (tests inject dynalite-backed tables). */
export function createOrdersHandler(deps: OrdersDeps): (event: APIGatewayProxyEvent, context: Pick<Context, 'awsRequestId'>) => Promise<APIGatewayProxyResult> {
  const api = ordersApi(deps);
  return async (event, context) => {
    try {
      return proxyResult(await api(ordersRequest(event)));
    } catch (err) {
      // Detail to the log only; the client gets a generic error with the request id to quote.
      console.error(JSON.stringify({ level: 'ERROR', requestId: context.awsRequestId, error: err instanceof Error ? err.name : 'Unknown' }));
      return {
        statusCode: 500,
        headers: { ...SECURITY_HEADERS, ...corsResponseHeaders(header(event, 'Origin'), deps.env ?? {}) },
        body: JSON.stringify({ message: 'Internal error', requestId: context.awsRequestId }),
      };
    }
  };
}

/** Dependencies from the function's environment (module scope: once per cold start). */
export function depsFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): OrdersDeps {
  const client = new DynamoDBClient({ maxAttempts: 3, retryMode: 'adaptive' });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    store: new DynamoDbOrdersStore(documentClient, env.ORDERS_TABLE ?? ''),
    idempotent: powertoolsIdempotency(client, env.IDEMPOTENCY_TABLE ?? ''),
    securityHeaders: SECURITY_HEADERS,
    callTimeoutMs: Number(env.CALL_TIMEOUT_MS ?? 2000),
    now: () => new Date(),
    newId: () => randomUUID(),
    env,
  };
}

export const handler = createOrdersHandler(depsFromEnvironment());
