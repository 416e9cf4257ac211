import type { Authenticated, Eventually } from './identity';
import type { DecisionFields } from './observability';
import type { PrincipalHashes } from './principal';
import { Denial, Reason } from './reasons';
import type { StoreDeadline } from './store-call';
import { ApiKeyRecord, ApiKeyStore, hashApiKey, TtlCache } from './stores';
import { apiKeyPrincipal, TENANT_ID_PATTERN } from '../spec/contracts/identity';

export interface ApiKeyOptions {
  /** How long a key's record (or its absence) is cached. */
  readonly cacheSeconds: number;
  readonly maxKeyLength: number;
  readonly maxCacheEntries: number;
  readonly clock: () => number;
}

const PRINTABLE = /^[\x21-\x7E]+$/;

/**
 * API keys: looked up by the SHA-256 of the key (the key itself is never stored), refused when unknown, disabled or
 * expired. Synchronous when the key's record is cached (the hot path); a promise when the store must be asked.
 */
export class ApiKeyAuthenticator {
  private readonly cache: TtlCache<ApiKeyRecord | null>;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly deadline: StoreDeadline,
    private readonly principals: PrincipalHashes,
    private readonly options: ApiKeyOptions,
  ) {
    this.cache = new TtlCache(options.maxCacheEntries, options.clock);
  }

  authenticate(apiKey: string, fields: DecisionFields, now: number): Eventually<Authenticated> {
    fields.authMethod = 'apiKey';
    if (apiKey.length > this.options.maxKeyLength || !PRINTABLE.test(apiKey)) throw new Denial(Reason.INVALID_API_KEY, 'malformed');
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash, now);
    if (cached !== undefined) return this.identity(cached, fields);
    // An in-process store answers synchronously, and so does this; a network store's promise is chained.
    let found: Eventually<ApiKeyRecord | undefined>;
    try {
      found = this.deadline.call(this.store, (o) => this.store.getApiKey(hash, o));
    } catch (e) {
      throw unavailable(e);
    }
    if (found instanceof Promise) return found.then((r) => this.remember(hash, r, fields), (e: unknown) => { throw unavailable(e); });
    return this.remember(hash, found, fields);
  }

  /** Caches the store's answer (an unknown key included) and builds the identity. */
  private remember(hash: string, found: ApiKeyRecord | undefined, fields: DecisionFields): Authenticated {
    const record = found ?? null;
    this.cache.set(hash, record, this.options.cacheSeconds * 1000);
    return this.identity(record, fields);
  }

  private identity(record: ApiKeyRecord | null, fields: DecisionFields): Authenticated {
    if (!record) throw new Denial(Reason.INVALID_API_KEY, 'unknown');
    fields.principal = this.principals.of('apikey', record.keyId);
    if (record.disabled) throw new Denial(Reason.API_KEY_DISABLED);
    if (record.expiresAt !== undefined && record.expiresAt * 1000 <= Date.now()) throw new Denial(Reason.API_KEY_EXPIRED);
    if (!TENANT_ID_PATTERN.test(record.tenantId)) throw new Denial(Reason.INVALID_TENANT);
    fields.tenant = record.tenantId;
    return {
      principalId: apiKeyPrincipal(record.keyId),
      tenantId: record.tenantId,
      scopes: record.scopes,
      scopeText: record.scopes.join(' '),
      clientId: record.keyId,
      authMethod: 'apiKey',
      apiKey: record,
      certificateBound: false,
    };
  }
}

function unavailable(e: unknown): Denial {
  return new Denial(Reason.KEY_STORE_UNAVAILABLE, (e as Error)?.message);
}
