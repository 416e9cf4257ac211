/**
 * The CLI's reads and writes of the platform's records on Azure: the table the authorizer function reads (Cosmos DB
 * for Table, or Table storage / azurite), through `@azure/data-tables`. Entity keys and the attributes the authorizer
 * reads are those of `AzureTablesAuthorizerStore` (`tableKey(ItemKeys...)`, lib/authorizer/stores/azure-tables.ts);
 * the CLI adds the same operator-only attributes as on DynamoDB. Lists are not supported by Azure entities: they are
 * stored space-separated. Every write is conditional: a create fails on an existing entity, an update carries the
 * ETag of what was read (`If-Match`), so two operators cannot silently overwrite each other.
 */
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { AuditEvent, AuditSink, CallerIdentity } from './audit';
import { CliError, conflict, ExitCode, notFound, oneLine, usage } from './errors';
import { ApiKeyView, NewApiKey, NewTenant, PlatformRecords, RETAIN_SECONDS, RevocationWriter, TenantView } from './store';
import { decomposeJwt } from '../authorizer/jwt';
import { ItemKey, ItemKeys } from '../authorizer/stores';
import { AzureTablesAuthorizerStore, isEntityNotFound, tableErrorCode, tableKey } from '../authorizer/stores/azure-tables';

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string };

/** `--cloud azure`. */
export const AZURE_CLOUD = 'azure';
/** A Table storage connection string (azurite, or an account with shared keys): used instead of `--table-endpoint`. */
export const AZURE_TABLES_CONNECTION_STRING_ENV = 'AZURE_TABLES_CONNECTION_STRING';

/** Where the Azure table is. */
export interface AzureTablesTarget {
  /** `--table-endpoint`. @default - $AZURE_TABLES_CONNECTION_STRING */
  readonly endpoint?: string;
  readonly table: string;
  /** For messages: the endpoint, or the name of the connection string variable. */
  readonly location: string;
}

const AZURE_TABLE = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
export function checkAzureTable(value: string): string {
  if (!AZURE_TABLE.test(value)) throw usage(`--table must be an Azure table name, 3-63 letters and digits starting with a letter (received: ${JSON.stringify(value)}); the platform's is "authorizer"`);
  return value;
}

const needsAzureSdk = (e: unknown): CliError => new CliError(ExitCode.USAGE,
  `--cloud azure needs the Azure SDKs next to the CLI: npm i @azure/data-tables @azure/identity (${oneLine(e instanceof Error ? e.message : String(e), 120)})`);

/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies -- the Azure SDKs load only for
   --cloud azure (AWS users need not install them); without them the CLI says what to install */
function azureSdks(): { tables: typeof import('@azure/data-tables'); identity: typeof import('@azure/identity') } {
  try {
    return {
      tables: require('@azure/data-tables') as typeof import('@azure/data-tables'),
      identity: require('@azure/identity') as typeof import('@azure/identity'),
    };
  } catch (e) {
    throw needsAzureSdk(e);
  }
}
/* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */

/**
 * The table client: a connection string from the environment (azurite; http allowed for it only), else the endpoint
 * with DefaultAzureCredential (`az login`, a managed identity, workload identity...).
 */
export function defaultAzureTables(target: AzureTablesTarget): TableClient {
  const { tables, identity } = azureSdks();
  const connectionString = process.env[AZURE_TABLES_CONNECTION_STRING_ENV];
  if (connectionString) {
    return tables.TableClient.fromConnectionString(connectionString, target.table, { allowInsecureConnection: /DefaultEndpointsProtocol=http;/i.test(connectionString) || /TableEndpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString) });
  }
  if (!target.endpoint) {
    throw usage(`--cloud azure needs the table: --table-endpoint https://<account>.table.cosmos.azure.com:443/ (the authorizer's AUTHORIZER_TABLE_ENDPOINT app setting), or ${AZURE_TABLES_CONNECTION_STRING_ENV}`);
  }
  if (!/^https:\/\//.test(target.endpoint)) throw usage(`--table-endpoint must be an https URL (received: ${JSON.stringify(target.endpoint)})`);
  return new tables.TableClient(target.endpoint, target.table, new identity.DefaultAzureCredential());
}

/** The Entra principal behind a credential: the token's `upn`, `preferred_username`, `appid` or `oid` (unverified: it names, it does not authorize). */
export class EntraCallerIdentity implements CallerIdentity {
  constructor(private readonly credential: TokenCredential) {}

  async whoAmI(): Promise<string> {
    const token = await this.credential.getToken('https://cosmos.azure.com/.default');
    if (!token) throw new CliError(ExitCode.AWS, 'no Azure credentials: run `az login`, or pass --actor <who>');
    // Read with the authorizer's own JWT parser (the one home of the compact JWS shape); not verified, as said above.
    let claims: Record<string, unknown>;
    try {
      claims = decomposeJwt(token.token).payload as Record<string, unknown>;
    } catch (e) {
      throw new CliError(ExitCode.AWS, `the Azure credential's access token is not a readable JWT (${e instanceof Error ? e.message : 'unreadable'}): pass --actor <who>`);
    }
    const who = [claims.upn, claims.preferred_username, claims.appid, claims.oid].find((v): v is string => typeof v === 'string' && v.length > 0);
    return who ? `entra:${who}` : 'entra:unknown';
  }
}

/** Who is operating on Azure: the credential's Entra principal; a connection string names nobody, so `--actor` is needed. */
export function defaultAzureIdentity(target: AzureTablesTarget): CallerIdentity {
  if (process.env[AZURE_TABLES_CONNECTION_STRING_ENV] || !target.endpoint) {
    return { whoAmI: async () => { throw usage(`a connection string (${AZURE_TABLES_CONNECTION_STRING_ENV}) names no operator: pass --actor <who> for the audit entity`); } };
  }
  return new EntraCallerIdentity(new (azureSdks().identity.DefaultAzureCredential)());
}

const TENANT_PREFIX = ItemKeys.tenant('');
const APIKEY_PREFIX = ItemKeys.apiKey('');

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const n = (v: unknown): number | undefined => {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(x) ? x : undefined;
};
const words = (v: unknown): string[] => (typeof v === 'string' ? v.split(' ').filter((w) => w.length > 0) : []);

/** The DynamoDB `pk` of an entity (table keys are percent-encoded DynamoDB keys). */
const pkOf = (e: Entity): string => decodeURIComponent(e.partitionKey ?? '');

function tenantView(e: Entity): TenantView {
  return {
    tenantId: pkOf(e).slice(TENANT_PREFIX.pk.length),
    plan: s(e.plan),
    contact: s(e.contact),
    disabled: e.disabled !== false,
    createdAt: s(e.createdAt),
    disabledAt: s(e.disabledAt),
    metered: Boolean(s(e.meteringKey)),
    meteringKeyIds: words(e.meteringKeyIds),
  };
}

function keyView(e: Entity): ApiKeyView & { readonly sha256: string } {
  return {
    sha256: pkOf(e).slice(APIKEY_PREFIX.pk.length),
    keyId: s(e.keyId) ?? '',
    tenantId: s(e.tenantId) ?? '',
    plan: s(e.plan),
    scopes: words(e.scopes),
    disabled: e.disabled === true,
    createdAt: s(e.createdAt),
    expiresAt: n(e.expiresAt),
    revokedAt: s(e.revokedAt),
    rotatedTo: s(e.rotatedTo),
    rotatedFrom: s(e.rotatedFrom),
  };
}

interface RestErrorLike {
  readonly name?: string;
  readonly statusCode?: number;
  readonly code?: string;
  readonly message?: string;
}

const restError = (e: unknown): RestErrorLike => (e !== null && typeof e === 'object' ? e as RestErrorLike : {});

/** An OData string literal (single quotes doubled). */
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The platform's records in one Azure table (see the module comment). */
export class AzureTablesPlatformStore implements PlatformRecords {
  constructor(
    readonly client: TableClient,
    /** Where the table is, for messages (the endpoint, or `connection string`). */
    readonly location: string,
    private readonly progress: (message: string) => void = () => undefined,
  ) {}

  get tableName(): string {
    return this.client.tableName;
  }

  get service(): string {
    return `Azure Tables (table ${this.tableName} at ${this.location})`;
  }

  /** Maps the SDK's errors to the CLI's: one line that names the service and the fix. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (e) {
      if (e instanceof CliError) throw e;
      const err = restError(e);
      if (err.statusCode === 404 && tableErrorCode(e) === 'TableNotFound') {
        throw notFound(`table ${this.tableName} not found at ${this.location}: check --table-endpoint and --table (the platform's table is "authorizer")`);
      }
      if (err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationError') {
        throw new CliError(ExitCode.AWS, `no Azure credentials for ${this.service}: run \`az login\` (DefaultAzureCredential), or set AZURE_TABLES_CONNECTION_STRING (${oneLine(err.message ?? '', 160)})`);
      }
      if (err.statusCode === 401 || err.statusCode === 403) {
        throw new CliError(ExitCode.AWS, `${this.service} denied the call (${err.statusCode} ${tableErrorCode(e) ?? ''}): the operator needs the Cosmos DB Built-in Data Contributor role on the account`);
      }
      if (err.name === 'RestError' || err.statusCode !== undefined) {
        const what = err.statusCode === undefined ? `unreachable: network error (${err.code ?? 'no response'})` : `error ${err.statusCode} ${tableErrorCode(e) ?? ''}`;
        throw new CliError(ExitCode.AWS, `${this.service} ${what}: ${oneLine(err.message ?? '', 200)}`);
      }
      throw e;
    }
  }

  private async read(k: ItemKey): Promise<Entity | undefined> {
    const { partitionKey, rowKey } = tableKey(k);
    return this.call(async () => {
      try {
        return await this.client.getEntity<Entity>(partitionKey, rowKey);
      } catch (e) {
        if (isEntityNotFound(e)) return undefined;
        throw e;
      }
    });
  }

  /** Inserts; a conflict (the entity exists) becomes `conflictMessage`. */
  private async create(entity: Entity, conflictMessage: string): Promise<void> {
    try {
      await this.client.createEntity(entity as never);
    } catch (e) {
      if (restError(e).statusCode === 409) throw conflict(conflictMessage);
      await this.call(() => Promise.reject(e));
    }
  }

  /** Merges `set` into the entity read with `etag`; a changed entity (412) becomes `conflictMessage`. */
  private async update(k: ItemKey, etag: string | undefined, set: Record<string, unknown>, conflictMessage: string): Promise<void> {
    const values = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
    try {
      await this.client.updateEntity({ ...tableKey(k), ...values } as never, 'Merge', { etag });
    } catch (e) {
      const status = restError(e).statusCode;
      if (status === 412 || status === 404) throw conflict(conflictMessage);
      await this.call(() => Promise.reject(e));
    }
  }

  async getTenant(tenantId: string): Promise<TenantView | undefined> {
    const e = await this.read(ItemKeys.tenant(tenantId));
    return e ? tenantView(e) : undefined;
  }

  async requireTenant(tenantId: string): Promise<TenantView> {
    const t = await this.getTenant(tenantId);
    if (!t) throw notFound(`tenant ${tenantId} not found in ${this.tableName}: check the id with \`tenant list\``);
    return t;
  }

  async putNewTenant(t: NewTenant): Promise<void> {
    const entity: Entity = {
      ...tableKey(ItemKeys.tenant(t.tenantId)), disabled: false, plan: t.plan, contact: t.contact, createdAt: t.createdAt, createdBy: t.createdBy,
    };
    if (t.meteringKey) entity.meteringKey = t.meteringKey;
    if (t.meteringKeyIds.length > 0) entity.meteringKeyIds = t.meteringKeyIds.join(' ');
    await this.create(entity, `tenant ${t.tenantId} already exists: see it with \`tenant show ${t.tenantId}\``);
  }

  /** Sets `disabled = true` and `set` on an existing entity that is not disabled yet (ETag-checked). */
  private async disable(k: ItemKey, set: Record<string, unknown>, conflictMessage: string): Promise<void> {
    const current = await this.read(k);
    if (!current || current.disabled !== false) throw conflict(conflictMessage);
    await this.update(k, current.etag, { ...set, disabled: true }, conflictMessage);
  }

  async disableTenant(tenantId: string, at: string, by: string, reason?: string): Promise<void> {
    await this.disable(
      ItemKeys.tenant(tenantId),
      { disabledAt: at, disabledBy: by, disabledReason: reason },
      `tenant ${tenantId} changed meanwhile (disabled or removed): check it with \`tenant show ${tenantId}\``,
    );
  }

  async putClientTenant(clientId: string, tenantId: string, at: string, by: string): Promise<void> {
    const entity: Entity = { ...tableKey(ItemKeys.client(clientId)), tenantId, disabled: false, boundAt: at, boundBy: by };
    await this.call(() => this.client.upsertEntity(entity as never, 'Replace'));
  }

  /** Every entity of one kind (its row key), with an optional extra filter; progress on stderr. */
  private async scan(prefix: ItemKey, extraFilter?: string): Promise<Entity[]> {
    const filter = `RowKey eq ${literal(tableKey(prefix).rowKey)}${extraFilter ? ` and ${extraFilter}` : ''}`;
    return this.call(async () => {
      const out: Entity[] = [];
      let pages = 0;
      for await (const page of this.client.listEntities<Entity>({ queryOptions: { filter } }).byPage({ maxPageSize: 1000 })) {
        out.push(...page.filter((e) => pkOf(e).startsWith(prefix.pk)));
        pages++;
        if (pages % 5 === 0) this.progress(`reading ${this.tableName}: ${pages} pages read, ${out.length} matches so far`);
      }
      return out;
    });
  }

  async listTenants(): Promise<TenantView[]> {
    return (await this.scan(TENANT_PREFIX)).map(tenantView).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  async listApiKeys(tenantId?: string): Promise<Array<ApiKeyView & { readonly sha256: string }>> {
    const entities = await this.scan(APIKEY_PREFIX, tenantId ? `tenantId eq ${literal(tenantId)}` : undefined);
    return entities.map(keyView).sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  }

  async findApiKeyById(keyId: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined> {
    const [hit] = await this.scan(APIKEY_PREFIX, `keyId eq ${literal(keyId)}`);
    return hit ? keyView(hit) : undefined;
  }

  async getApiKeyByHash(sha256: string): Promise<(ApiKeyView & { readonly sha256: string }) | undefined> {
    const e = await this.read(ItemKeys.apiKey(sha256));
    return e ? keyView(e) : undefined;
  }

  async putNewApiKey(key: NewApiKey): Promise<void> {
    const entity: Entity = {
      ...tableKey(ItemKeys.apiKey(key.sha256)),
      keyId: key.keyId,
      tenantId: key.tenantId,
      scopes: key.scopes.join(' '),
      disabled: false,
      createdAt: key.createdAt,
      expiresAt: key.expiresAt,
      // Neither Cosmos DB for Table nor Table storage expires entities: kept for a clean-up job, as on DynamoDB.
      ttl: key.expiresAt + RETAIN_SECONDS,
    };
    if (key.plan) entity.plan = key.plan;
    if (key.rotatedFrom) entity.rotatedFrom = key.rotatedFrom;
    await this.create(entity, 'a key with this hash already exists (astronomically unlikely): run the command again');
  }

  async expireApiKey(old: ApiKeyView & { readonly sha256: string }, expiresAt: number, rotatedTo: string, at: string): Promise<void> {
    const k = ItemKeys.apiKey(old.sha256);
    const message = `key ${old.keyId} changed meanwhile (revoked or rotated by someone else): check it with \`key list --tenant ${old.tenantId}\``;
    const current = await this.read(k);
    if (!current || current.disabled !== false || current.rotatedTo !== undefined || n(current.expiresAt) !== old.expiresAt) throw conflict(message);
    await this.update(k, current.etag, { expiresAt, ttl: expiresAt + RETAIN_SECONDS, rotatedTo, rotatedAt: at }, message);
  }

  async revokeApiKey(key: ApiKeyView & { readonly sha256: string }, at: string, nowSeconds: number, reason?: string): Promise<void> {
    await this.disable(
      ItemKeys.apiKey(key.sha256),
      { revokedAt: at, ttl: nowSeconds + RETAIN_SECONDS, revokedReason: reason },
      `key ${key.keyId} was revoked meanwhile: nothing to do`,
    );
  }

  async deleteApiKey(sha256: string): Promise<void> {
    const { partitionKey, rowKey } = tableKey(ItemKeys.apiKey(sha256));
    await this.call(() => this.client.deleteEntity(partitionKey, rowKey));
  }

  /** One read that fails when the table cannot be reached or used (before any change). */
  async probe(): Promise<void> {
    await this.read(ItemKeys.tenant('-probe-'));
  }

  /** Appends an audit entity (`ItemKeys.audit`): the event as JSON, and its members for queries. */
  async appendAudit(event: AuditEvent): Promise<void> {
    const k = ItemKeys.audit(event.time.slice(0, 10), `${event.time}#${randomBytes(6).toString('hex')}`);
    const entity: Entity = {
      ...tableKey(k),
      time: event.time,
      actor: event.actor,
      action: event.action,
      target: event.target,
      platform: event.platform,
      event: JSON.stringify(event),
    };
    await this.call(() => this.client.createEntity(entity as never));
  }

  revocations(): RevocationWriter {
    const store = new AzureTablesAuthorizerStore({ client: this.client });
    return {
      revokeJti: (jti, expiresAt, reason) => this.call(() => store.revokeJti(jti, expiresAt, reason)),
      revokeSubject: (issuer, subject, revokedBefore, options) => this.call(() => store.revokeSubject(issuer, subject, revokedBefore, options)),
    };
  }
}

/**
 * The audit trail on Azure: one entity per change in the platform table (`AUDIT#<day>`, row `<time>#<random>`),
 * created (never replaced) before the command reports success. `prepare` checks that the table answers, so nothing
 * is changed that cannot be audited.
 */
export class AzureTablesAuditSink implements AuditSink {
  constructor(private readonly store: AzureTablesPlatformStore) {}

  async prepare(): Promise<void> {
    await this.store.probe();
  }

  async write(event: AuditEvent): Promise<void> {
    await this.store.appendAudit(event);
  }
}
