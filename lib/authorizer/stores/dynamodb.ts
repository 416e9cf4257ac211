import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ApiKeyRecord, ApiKeyStore, hashApiKey, ItemKey, ItemKeys, RevocationQuery, RevocationStatus, RevocationStore, StoreCallOptions,
  TenantRecord, TenantStore,
} from './index';

type Sdk = typeof import('@aws-sdk/client-dynamodb');
let sdk: Sdk | undefined;
/** The SDK is loaded only when a table is configured (an authorizer without one starts ~tens of ms faster). */
function loadSdk(): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  sdk ??= require('@aws-sdk/client-dynamodb') as Sdk;
  return sdk;
}

type Item = Record<string, AttributeValue>;

function key(k: ItemKey): Item {
  return { pk: { S: k.pk }, sk: { S: k.sk } };
}

function num(v: AttributeValue | undefined): number | undefined {
  if (v?.N === undefined) return undefined;
  const n = Number(v.N);
  return Number.isFinite(n) ? n : undefined;
}

function strings(v: AttributeValue | undefined): string[] {
  if (v?.SS) return v.SS;
  if (v?.L) return v.L.flatMap((e) => (e.S !== undefined ? [e.S] : []));
  if (v?.S !== undefined) return v.S.split(' ').filter((s) => s.length > 0);
  return [];
}

export interface DynamoDbAuthorizerStoreProps {
  readonly tableName: string;
  /**
   * The client to use.
   * @default - a DynamoDBClient for `AWS_REGION`, 2 attempts, 300 ms connection timeout
   */
  readonly client?: DynamoDBClient;
  /**
   * Socket-level request timeout of the default client (the authorizer also aborts each call at its store deadline).
   * @default 500
   */
  readonly requestTimeoutMs?: number;
}

export interface PutApiKeyInput extends ApiKeyRecord {
  /** The key in clear: only its SHA-256 is written. */
  readonly apiKey: string;
}

/**
 * API keys, revocations and tenants in one DynamoDB table (schema: see `./index`). Reads are eventually consistent
 * (a global table replicates in about a second); the writers are for the operators' CLI and the tests.
 */
export class DynamoDbAuthorizerStore implements ApiKeyStore, RevocationStore, TenantStore {
  readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(props: DynamoDbAuthorizerStoreProps) {
    const { DynamoDBClient: Client } = loadSdk();
    this.tableName = props.tableName;
    this.client = props.client ?? new Client({
      region: process.env.AWS_REGION,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 300, requestTimeout: props.requestTimeoutMs ?? 500 },
    });
  }

  async getApiKey(sha256Hex: string, options: StoreCallOptions): Promise<ApiKeyRecord | undefined> {
    const { GetItemCommand } = loadSdk();
    const get = new GetItemCommand({ TableName: this.tableName, Key: key(ItemKeys.apiKey(sha256Hex)) });
    const out = await this.client.send(get, { abortSignal: options.signal });
    const item = out.Item;
    if (!item?.keyId?.S || !item.tenantId?.S) return undefined;
    return {
      keyId: item.keyId.S,
      tenantId: item.tenantId.S,
      scopes: strings(item.scopes),
      disabled: item.disabled?.BOOL === true,
      expiresAt: num(item.expiresAt),
    };
  }

  async getRevocationStatus(query: RevocationQuery, options: StoreCallOptions): Promise<RevocationStatus> {
    const { BatchGetItemCommand } = loadSdk();
    const subjectKey = ItemKeys.revokedSubject(query.issuer, query.subject).pk;
    let keys: Item[] = [...new Set(query.jtis)].map((j) => key(ItemKeys.revokedJti(j)));
    keys.push(key(ItemKeys.revokedSubject(query.issuer, query.subject)));
    const found: Item[] = [];
    for (let attempt = 0; attempt < 2 && keys.length > 0; attempt++) {
      const out = await this.client.send(new BatchGetItemCommand({
        RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'pk, revokedBefore' } },
      }), { abortSignal: options.signal });
      found.push(...(out.Responses?.[this.tableName] ?? []));
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    // Fail closed: an answer about only some of the keys is no answer.
    if (keys.length > 0) throw new Error('DynamoDB left revocation keys unprocessed');
    const revokedJtis: string[] = [];
    let subjectRevokedBefore: number | undefined;
    for (const item of found) {
      const pk = item.pk?.S ?? '';
      if (pk === subjectKey) subjectRevokedBefore = num(item.revokedBefore);
      else if (pk.startsWith('REVOKED#JTI#')) revokedJtis.push(pk.slice('REVOKED#JTI#'.length));
    }
    return { revokedJtis, subjectRevokedBefore };
  }

  async getTenant(tenantId: string, options: StoreCallOptions): Promise<TenantRecord | undefined> {
    const { GetItemCommand } = loadSdk();
    const get = new GetItemCommand({ TableName: this.tableName, Key: key(ItemKeys.tenant(tenantId)) });
    const out = await this.client.send(get, { abortSignal: options.signal });
    if (!out.Item) return undefined;
    return {
      tenantId,
      disabled: out.Item.disabled?.BOOL !== false, // a record without the flag is treated as disabled (fail closed)
      meteringKey: out.Item.meteringKey?.S,
      plan: out.Item.plan?.S,
    };
  }

  /** Writes an API key record (the key's hash, never the key). */
  async putApiKey(input: PutApiKeyInput): Promise<{ sha256: string }> {
    const { PutItemCommand } = loadSdk();
    const sha256 = hashApiKey(input.apiKey);
    const item: Item = {
      ...key(ItemKeys.apiKey(sha256)),
      keyId: { S: input.keyId },
      tenantId: { S: input.tenantId },
      scopes: { L: input.scopes.map((s) => ({ S: s })) },
      disabled: { BOOL: input.disabled ?? false },
      createdAt: { S: new Date().toISOString() },
    };
    if (input.expiresAt !== undefined) {
      item.expiresAt = { N: String(input.expiresAt) };
      item.ttl = { N: String(input.expiresAt + 7 * 86_400) };
    }
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
    return { sha256 };
  }

  /** Revokes one token by `jti` (or a Cognito `origin_jti`) until `expiresAt` (the token's `exp`). */
  async revokeJti(jti: string, expiresAt: number, reason?: string): Promise<void> {
    const { PutItemCommand } = loadSdk();
    const item: Item = { ...key(ItemKeys.revokedJti(jti)), revokedAt: { N: String(Math.floor(Date.now() / 1000)) }, ttl: { N: String(expiresAt) } };
    if (reason) item.reason = { S: reason };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }

  /** Revokes every token of a subject issued before `revokedBefore` (epoch seconds). */
  async revokeSubject(issuer: string, subject: string, revokedBefore: number, options: { reason?: string; ttl?: number } = {}): Promise<void> {
    const { PutItemCommand } = loadSdk();
    const item: Item = { ...key(ItemKeys.revokedSubject(issuer, subject)), revokedBefore: { N: String(revokedBefore) } };
    if (options.reason) item.reason = { S: options.reason };
    if (options.ttl !== undefined) item.ttl = { N: String(options.ttl) };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }

  /** Creates or replaces a tenant record. */
  async putTenant(record: TenantRecord): Promise<void> {
    const { PutItemCommand } = loadSdk();
    const item: Item = { ...key(ItemKeys.tenant(record.tenantId)), disabled: { BOOL: record.disabled } };
    if (record.meteringKey) item.meteringKey = { S: record.meteringKey };
    if (record.plan) item.plan = { S: record.plan };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }

  /**
   * Binds an OAuth client (client credentials) to its tenant: the user pool's pre-token-generation trigger reads this
   * record and puts the tenant into the client's access tokens. A client without one gets no token.
   */
  async putClientTenant(clientId: string, tenantId: string, disabled = false): Promise<void> {
    const { PutItemCommand } = loadSdk();
    const item: Item = { ...key(ItemKeys.client(clientId)), tenantId: { S: tenantId }, disabled: { BOOL: disabled } };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }
}
