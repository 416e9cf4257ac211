/**
 * The authorizer's stores on Azure: API keys, revocations and tenants in one table of Azure Cosmos DB for Table (or
 * Azure Table storage, which serves the same API), through `@azure/data-tables`. The items are those of the DynamoDB
 * schema (see `./index`), one entity each:
 *
 * | Item            | `PartitionKey`                     | `RowKey`  | Properties                                                      |
 * |-----------------|------------------------------------|-----------|-----------------------------------------------------------------|
 * | API key         | `tableKey(ItemKeys.apiKey(h).pk)`  | `APIKEY`  | `keyId`, `tenantId`, `scopes` (space-separated), `disabled`, `expiresAt`? |
 * | Revoked token   | `tableKey(ItemKeys.revokedJti(j).pk)` | `REVOKED` | `revokedAt`, `reason`?, `expiresAt` (the token's `exp`)      |
 * | Revoked subject | `tableKey(ItemKeys.revokedSubject(i, s).pk)` | `REVOKED` | `revokedBefore`, `reason`?, `expiresAt`?               |
 * | Tenant          | `tableKey(ItemKeys.tenant(t).pk)`  | `TENANT`  | `disabled` (required: absent counts as disabled), `meteringKey`?, `plan`? |
 *
 * Table keys may not contain `/`, `\`, `#` or `?` (issuer URLs and the `KIND#` prefixes do): {@link tableKey}
 * percent-encodes them, so every DynamoDB key has exactly one table key. Neither service expires entities: a revoked
 * token's entity carries `expiresAt` for a clean-up job, and is harmless once the token has expired.
 */
import type { TableClient } from '@azure/data-tables';
import {
  ApiKeyRecord, ApiKeyStore, hashApiKey, ItemKey, ItemKeys, RevocationQuery, RevocationStatus, RevocationStore, StoreCallOptions,
  TenantRecord, TenantStore,
} from './index';

/** A DynamoDB item key as an Azure Tables key: `encodeURIComponent` removes every character tables refuse. */
export function tableKey(k: ItemKey): { partitionKey: string; rowKey: string } {
  return { partitionKey: encodeURIComponent(k.pk), rowKey: encodeURIComponent(k.sk) };
}

type Entity = Record<string, unknown>;

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * The service's error code of a failed call (`ResourceNotFound`, `TableNotFound`, ...): `@azure/data-tables` puts it in
 * the error's details (the `x-ms-error-code` header, or the OData error body), not in `code`.
 */
export function tableErrorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; details?: { errorCode?: unknown; odataError?: { code?: unknown } } } | null;
  const code = err?.details?.errorCode ?? err?.details?.odataError?.code ?? err?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The entity does not exist. A missing table is not an absent entity: it is a store that cannot answer (a wrong table
 * name must never read as "not revoked").
 */
export function isEntityNotFound(e: unknown): boolean {
  return (e as { statusCode?: number } | null)?.statusCode === 404 && tableErrorCode(e) !== 'TableNotFound';
}

export interface AzureTablesAuthorizerStoreProps {
  /** The table client (Cosmos DB for Table or Table storage; managed identity or, in tests, a shared key). */
  readonly client: TableClient;
}

export interface PutAzureApiKeyInput extends ApiKeyRecord {
  /** The key in clear: only its SHA-256 is written. */
  readonly apiKey: string;
}

/**
 * API keys, revocations and tenants in one Azure table (schema above). Every read passes the authorizer's deadline
 * signal to the SDK; a store that cannot answer throws (the authorizer then denies, or fails open where configured).
 * The writers are for the operators and the tests.
 */
export class AzureTablesAuthorizerStore implements ApiKeyStore, RevocationStore, TenantStore {
  readonly client: TableClient;

  constructor(props: AzureTablesAuthorizerStoreProps) {
    this.client = props.client;
  }

  private async get(k: ItemKey, options: StoreCallOptions): Promise<Entity | undefined> {
    const { partitionKey, rowKey } = tableKey(k);
    try {
      return await this.client.getEntity<Entity>(partitionKey, rowKey, { abortSignal: options.signal });
    } catch (e) {
      if (isEntityNotFound(e)) return undefined;
      throw e;
    }
  }

  async getApiKey(sha256Hex: string, options: StoreCallOptions): Promise<ApiKeyRecord | undefined> {
    const e = await this.get(ItemKeys.apiKey(sha256Hex), options);
    const keyId = str(e?.keyId);
    const tenantId = str(e?.tenantId);
    if (!e || !keyId || !tenantId) return undefined;
    return {
      keyId,
      tenantId,
      scopes: (str(e.scopes) ?? '').split(' ').filter((s) => s.length > 0),
      disabled: e.disabled === true,
      expiresAt: num(e.expiresAt),
    };
  }

  async getRevocationStatus(query: RevocationQuery, options: StoreCallOptions): Promise<RevocationStatus> {
    const jtis = [...new Set(query.jtis)];
    // Point reads in parallel: any failure rejects the whole answer (fail closed).
    const [subject, ...tokens] = await Promise.all([
      this.get(ItemKeys.revokedSubject(query.issuer, query.subject), options),
      ...jtis.map((j) => this.get(ItemKeys.revokedJti(j), options)),
    ]);
    return {
      revokedJtis: jtis.filter((_, i) => tokens[i] !== undefined),
      subjectRevokedBefore: num(subject?.revokedBefore),
    };
  }

  async getTenant(tenantId: string, options: StoreCallOptions): Promise<TenantRecord | undefined> {
    const e = await this.get(ItemKeys.tenant(tenantId), options);
    if (!e) return undefined;
    return {
      tenantId,
      disabled: e.disabled !== false, // a record without the flag is treated as disabled (fail closed)
      meteringKey: str(e.meteringKey),
      plan: str(e.plan),
    };
  }

  /** Writes an API key record (the key's hash, never the key). */
  async putApiKey(input: PutAzureApiKeyInput): Promise<{ sha256: string }> {
    const sha256 = hashApiKey(input.apiKey);
    const entity: Entity = {
      ...tableKey(ItemKeys.apiKey(sha256)),
      keyId: input.keyId,
      tenantId: input.tenantId,
      scopes: input.scopes.join(' '),
      disabled: input.disabled ?? false,
      createdAt: new Date().toISOString(),
    };
    if (input.expiresAt !== undefined) entity.expiresAt = input.expiresAt;
    await this.client.upsertEntity(entity as never, 'Replace');
    return { sha256 };
  }

  /** Revokes one token by `jti` (or `origin_jti`) until `expiresAt` (the token's `exp`). */
  async revokeJti(jti: string, expiresAt: number, reason?: string): Promise<void> {
    const entity: Entity = { ...tableKey(ItemKeys.revokedJti(jti)), revokedAt: Math.floor(Date.now() / 1000), expiresAt };
    if (reason) entity.reason = reason;
    await this.client.upsertEntity(entity as never, 'Replace');
  }

  /**
   * Revokes every token of a subject issued before `revokedBefore` (epoch seconds); `ttl` (the longest token's end) is
   * kept as `expiresAt` for a clean-up job, as for a revoked token. The same signature as the DynamoDB store's.
   */
  async revokeSubject(issuer: string, subject: string, revokedBefore: number, options: { reason?: string; ttl?: number } = {}): Promise<void> {
    const entity: Entity = { ...tableKey(ItemKeys.revokedSubject(issuer, subject)), revokedBefore };
    if (options.reason) entity.reason = options.reason;
    if (options.ttl !== undefined) entity.expiresAt = options.ttl;
    await this.client.upsertEntity(entity as never, 'Replace');
  }

  /** Creates or replaces a tenant record. */
  async putTenant(record: TenantRecord): Promise<void> {
    const entity: Entity = { ...tableKey(ItemKeys.tenant(record.tenantId)), disabled: record.disabled };
    if (record.meteringKey) entity.meteringKey = record.meteringKey;
    if (record.plan) entity.plan = record.plan;
    await this.client.upsertEntity(entity as never, 'Replace');
  }
}
