/**
 * The CLI's reads and writes of the platform table. Item keys come from the authorizer's `ItemKeys` (the only place
 * they are spelled) and the attributes follow its schema (`lib/authorizer/stores/index.ts`); the CLI adds
 * operator-only attributes (`plan`, `contact`, `createdAt`, `revokedAt`, `rotatedTo`, ...) the authorizer ignores.
 * Every write is conditional, so two operators cannot silently overwrite each other.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { conflict, errorName, notFound, tagged } from './errors';
import { ItemKey, ItemKeys } from '../authorizer/stores';
import { DynamoDbAuthorizerStore } from '../authorizer/stores/dynamodb';

type Sdk = typeof import('@aws-sdk/client-dynamodb');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = (): Sdk => require('@aws-sdk/client-dynamodb') as Sdk;
type Item = Record<string, AttributeValue>;

/** Records kept for a week after they stop working (what the authorizer's own writer does), for forensics. */
export const RETAIN_SECONDS = 7 * 86_400;

const TENANT_PREFIX = ItemKeys.tenant('');
const APIKEY_PREFIX = ItemKeys.apiKey('');

/** A tenant as operators see it (the metering key's value is never part of it). */
export interface TenantView {
  readonly tenantId: string;
  readonly plan?: string;
  readonly contact?: string;
  readonly disabled: boolean;
  readonly createdAt?: string;
  readonly disabledAt?: string;
  /** Whether a metering key is set (its value is never shown). */
  readonly metered: boolean;
  /** API Gateway API key ids, as `<region>/<id>`. */
  readonly meteringKeyIds: readonly string[];
}

/** An API key's record as operators see it (no key, no hash). */
export interface ApiKeyView {
  readonly keyId: string;
  readonly tenantId: string;
  readonly plan?: string;
  readonly scopes: readonly string[];
  readonly disabled: boolean;
  readonly createdAt?: string;
  /** Epoch seconds. */
  readonly expiresAt?: number;
  readonly revokedAt?: string;
  readonly rotatedTo?: string;
  readonly rotatedFrom?: string;
}

/** Key state at a given time. */
export function keyStatus(k: ApiKeyView, nowSeconds: number): 'active' | 'grace' | 'expired' | 'revoked' {
  if (k.disabled) return 'revoked';
  if (k.expiresAt !== undefined && k.expiresAt <= nowSeconds) return 'expired';
  return k.rotatedTo ? 'grace' : 'active';
}

const s = (v: AttributeValue | undefined): string | undefined => v?.S;
const n = (v: AttributeValue | undefined): number | undefined => (v?.N !== undefined && Number.isFinite(Number(v.N)) ? Number(v.N) : undefined);
const strs = (v: AttributeValue | undefined): string[] => v?.L?.flatMap((e) => (e.S !== undefined ? [e.S] : [])) ?? v?.SS ?? (v?.S ? v.S.split(' ') : []);
const k = (key: ItemKey): Item => ({ pk: { S: key.pk }, sk: { S: key.sk } });

function tenantView(item: Item): TenantView {
  return {
    tenantId: item.pk.S!.slice(TENANT_PREFIX.pk.length),
    plan: s(item.plan),
    contact: s(item.contact),
    disabled: item.disabled?.BOOL !== false,
    createdAt: s(item.createdAt),
    disabledAt: s(item.disabledAt),
    metered: Boolean(item.meteringKey?.S),
    meteringKeyIds: strs(item.meteringKeyIds),
  };
}

function keyView(item: Item): ApiKeyView & { readonly sha256: string } {
  return {
    sha256: item.pk.S!.slice(APIKEY_PREFIX.pk.length),
    keyId: s(item.keyId) ?? '',
    tenantId: s(item.tenantId) ?? '',
    plan: s(item.plan),
    scopes: strs(item.scopes),
    disabled: item.disabled?.BOOL === true,
    createdAt: s(item.createdAt),
    expiresAt: n(item.expiresAt),
    revokedAt: s(item.revokedAt),
    rotatedTo: s(item.rotatedTo),
    rotatedFrom: s(item.rotatedFrom),
  };
}

export interface NewTenant {
  readonly tenantId: string;
  readonly plan: string;
  readonly contact: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** Value of the metering API key (never printed). */
  readonly meteringKey?: string;
  readonly meteringKeyIds: readonly string[];
}

export interface NewApiKey {
  readonly sha256: string;
  readonly keyId: string;
  readonly tenantId: string;
  readonly plan?: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: number;
  readonly rotatedFrom?: string;
}

/** Deny-list writes, through the authorizer's own store of the cloud (DynamoDB or Azure Tables). */
export interface RevocationWriter {
  revokeJti(jti: string, expiresAt: number, reason?: string): Promise<void>;
  revokeSubject(issuer: string, subject: string, revokedBefore: number, options?: { reason?: string; ttl?: number }): Promise<void>;
}

/**
 * The platform's records as the commands use them, whatever the cloud: the DynamoDB table ({@link PlatformStore}) or
 * the Azure table (`AzureTablesPlatformStore`, ./azure-store). Every write is conditional.
 */
export interface PlatformRecords {
  readonly tableName: string;
  /** The service and table, for messages, e.g. `DynamoDB (table orders-platform)`. */
  readonly service: string;
  getTenant(tenantId: string): Promise<TenantView | undefined>;
  requireTenant(tenantId: string): Promise<TenantView>;
  putNewTenant(t: NewTenant): Promise<void>;
  disableTenant(tenantId: string, at: string, by: string, reason?: string): Promise<void>;
  putClientTenant(clientId: string, tenantId: string, at: string, by: string): Promise<void>;
  listTenants(): Promise<TenantView[]>;
  listApiKeys(tenantId?: string): Promise<Array<ApiKeyView & { readonly sha256: string }>>;
  findApiKeyById(keyId: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined>;
  getApiKeyByHash(sha256: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined>;
  putNewApiKey(key: NewApiKey): Promise<void>;
  expireApiKey(old: ApiKeyView & { readonly sha256: string }, expiresAt: number, rotatedTo: string, at: string): Promise<void>;
  revokeApiKey(key: ApiKeyView & { readonly sha256: string }, at: string, nowSeconds: number, reason?: string): Promise<void>;
  deleteApiKey(sha256: string): Promise<void>;
  /** The authorizer's own store over the same table, for the deny list. */
  revocations(): RevocationWriter;
}

/** The platform table, as the CLI uses it. */
export class PlatformStore implements PlatformRecords {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly progress: (message: string) => void = () => undefined,
  ) {}

  get service(): string {
    return `DynamoDB (table ${this.tableName})`;
  }

  revocations(): RevocationWriter {
    return tagged(this.service, new DynamoDbAuthorizerStore({ tableName: this.tableName, client: this.client }));
  }

  /** Turns "table missing" into a clear not-found error; everything else goes up to the generic mapping. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await tagged(this.service, { request }).request();
    } catch (e) {
      if (errorName(e) === 'ResourceNotFoundException') {
        throw notFound(`table ${this.tableName} not found: check --platform / --table and --region (the table is <platform>-platform in the primary region)`);
      }
      throw e;
    }
  }

  async getTenant(tenantId: string): Promise<TenantView | undefined> {
    const get = new (sdk().GetItemCommand)({ TableName: this.tableName, Key: k(ItemKeys.tenant(tenantId)), ConsistentRead: true });
    const out = await this.call(() => this.client.send(get));
    return out.Item ? tenantView(out.Item) : undefined;
  }

  /** The tenant, or a not-found error that says how to list tenants. */
  async requireTenant(tenantId: string): Promise<TenantView> {
    const t = await this.getTenant(tenantId);
    if (!t) throw notFound(`tenant ${tenantId} not found in ${this.tableName}: check the id with \`tenant list\``);
    return t;
  }

  async putNewTenant(t: NewTenant): Promise<void> {
    const item: Item = {
      ...k(ItemKeys.tenant(t.tenantId)),
      disabled: { BOOL: false },
      plan: { S: t.plan },
      contact: { S: t.contact },
      createdAt: { S: t.createdAt },
      createdBy: { S: t.createdBy },
    };
    if (t.meteringKey) item.meteringKey = { S: t.meteringKey };
    if (t.meteringKeyIds.length > 0) item.meteringKeyIds = { L: t.meteringKeyIds.map((id) => ({ S: id })) };
    try {
      await this.call(() => this.client.send(new (sdk().PutItemCommand)({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw conflict(`tenant ${t.tenantId} already exists: see it with \`tenant show ${t.tenantId}\``);
      throw e;
    }
  }

  /** Sets `disabled = true` plus the given attributes, only on an existing item that is not disabled yet. */
  private async disableItem(itemKey: ItemKey, set: Record<string, AttributeValue | undefined>, conflictMessage: string): Promise<void> {
    const names: Record<string, string> = { '#disabled': 'disabled' };
    const values: Item = { ':t': { BOOL: true }, ':f': { BOOL: false } };
    const assignments = ['#disabled = :t'];
    Object.entries(set).forEach(([attribute, value], i) => {
      if (value === undefined) return;
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = value;
      assignments.push(`#a${i} = :v${i}`);
    });
    try {
      await this.call(() => this.client.send(new (sdk().UpdateItemCommand)({
        TableName: this.tableName,
        Key: k(itemKey),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND #disabled = :f',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      })));
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw conflict(conflictMessage);
      throw e;
    }
  }

  /**
   * Binds an OAuth app client (client credentials) to its tenant: the user pool's pre-token-generation trigger reads
   * this record (`ItemKeys.client`) and puts the tenant into the client's access tokens; an unbound client gets none.
   */
  async putClientTenant(clientId: string, tenantId: string, at: string, by: string): Promise<void> {
    const item: Item = {
      ...k(ItemKeys.client(clientId)), tenantId: { S: tenantId }, disabled: { BOOL: false }, boundAt: { S: at }, boundBy: { S: by },
    };
    await this.call(() => this.client.send(new (sdk().PutItemCommand)({ TableName: this.tableName, Item: item })));
  }

  async disableTenant(tenantId: string, at: string, by: string, reason?: string): Promise<void> {
    await this.disableItem(
      ItemKeys.tenant(tenantId),
      { disabledAt: { S: at }, disabledBy: { S: by }, disabledReason: reason ? { S: reason } : undefined },
      `tenant ${tenantId} changed meanwhile (disabled or removed): check it with \`tenant show ${tenantId}\``,
    );
  }

  /** Every item whose `pk` starts with the prefix (a paginated scan, progress on stderr). */
  private async scan(prefix: ItemKey, extraFilter?: { expression: string; values: Item }): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    let pages = 0;
    do {
      const out = await this.call(() => this.client.send(new (sdk().ScanCommand)({
        TableName: this.tableName,
        FilterExpression: `begins_with(pk, :p) AND sk = :sk${extraFilter ? ` AND ${extraFilter.expression}` : ''}`,
        ExpressionAttributeValues: { ':p': { S: prefix.pk }, ':sk': { S: prefix.sk }, ...extraFilter?.values },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
      pages++;
      if (start && pages % 5 === 0) this.progress(`scanning ${this.tableName}: ${pages} pages read, ${items.length} matches so far`);
    } while (start);
    return items;
  }

  async listTenants(): Promise<TenantView[]> {
    return (await this.scan(TENANT_PREFIX)).map(tenantView).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  async listApiKeys(tenantId?: string): Promise<Array<ApiKeyView & { readonly sha256: string }>> {
    const filter = tenantId ? { expression: 'tenantId = :t', values: { ':t': { S: tenantId } } } : undefined;
    return (await this.scan(APIKEY_PREFIX, filter)).map(keyView).sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  }

  /** Finds a key by its public id (a scan: the table is keyed by hash). */
  async findApiKeyById(keyId: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined> {
    const [hit] = await this.scan(APIKEY_PREFIX, { expression: 'keyId = :k', values: { ':k': { S: keyId } } });
    return hit ? keyView(hit) : undefined;
  }

  async getApiKeyByHash(sha256: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined> {
    const get = new (sdk().GetItemCommand)({ TableName: this.tableName, Key: k(ItemKeys.apiKey(sha256)), ConsistentRead: true });
    const out = await this.call(() => this.client.send(get));
    return out.Item ? keyView(out.Item) : undefined;
  }

  async putNewApiKey(key: NewApiKey): Promise<void> {
    const item: Item = {
      ...k(ItemKeys.apiKey(key.sha256)),
      keyId: { S: key.keyId },
      tenantId: { S: key.tenantId },
      scopes: { L: key.scopes.map((x) => ({ S: x })) },
      disabled: { BOOL: false },
      createdAt: { S: key.createdAt },
      expiresAt: { N: String(key.expiresAt) },
      ttl: { N: String(key.expiresAt + RETAIN_SECONDS) },
    };
    if (key.plan) item.plan = { S: key.plan };
    if (key.rotatedFrom) item.rotatedFrom = { S: key.rotatedFrom };
    try {
      await this.call(() => this.client.send(new (sdk().PutItemCommand)({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw conflict('a key with this hash already exists (astronomically unlikely): run the command again');
      throw e;
    }
  }

  /** Ends an active key's life at `expiresAt` (grace after rotation); fails if the key changed since it was read. */
  async expireApiKey(old: ApiKeyView & { readonly sha256: string }, expiresAt: number, rotatedTo: string, at: string): Promise<void> {
    const values: Item = {
      ':e': { N: String(expiresAt) }, ':ttl': { N: String(expiresAt + RETAIN_SECONDS) }, ':to': { S: rotatedTo }, ':at': { S: at }, ':f': { BOOL: false },
    };
    let condition = 'attribute_exists(pk) AND disabled = :f AND attribute_not_exists(rotatedTo)';
    if (old.expiresAt !== undefined) {
      condition += ' AND expiresAt = :old';
      values[':old'] = { N: String(old.expiresAt) };
    }
    try {
      await this.call(() => this.client.send(new (sdk().UpdateItemCommand)({
        TableName: this.tableName,
        Key: k(ItemKeys.apiKey(old.sha256)),
        UpdateExpression: 'SET expiresAt = :e, #ttl = :ttl, rotatedTo = :to, rotatedAt = :at',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: values,
      })));
    } catch (e) {
      if (errorName(e) === 'ConditionalCheckFailedException') throw conflict(`key ${old.keyId} changed meanwhile (revoked or rotated by someone else): check it with \`key list --tenant ${old.tenantId}\``);
      throw e;
    }
  }

  async revokeApiKey(key: ApiKeyView & { readonly sha256: string }, at: string, nowSeconds: number, reason?: string): Promise<void> {
    await this.disableItem(
      ItemKeys.apiKey(key.sha256),
      { revokedAt: { S: at }, ttl: { N: String(nowSeconds + RETAIN_SECONDS) }, revokedReason: reason ? { S: reason } : undefined },
      `key ${key.keyId} was revoked meanwhile: nothing to do`,
    );
  }

  /** Rollback of a half-done rotation. */
  async deleteApiKey(sha256: string): Promise<void> {
    await this.call(() => this.client.send(new (sdk().DeleteItemCommand)({ TableName: this.tableName, Key: k(ItemKeys.apiKey(sha256)) })));
  }

  /** DescribeTable, for `doctor`. */
  async describe(): Promise<{ status?: string; keys: string[]; itemCount?: number }> {
    const out = await this.call(() => this.client.send(
      new (sdk().DescribeTableCommand)({ TableName: this.tableName }),
    ));
    return {
      status: out.Table?.TableStatus,
      keys: (out.Table?.KeySchema ?? []).map((x) => `${x.AttributeName}:${x.KeyType}`),
      itemCount: out.Table?.ItemCount,
    };
  }
}
