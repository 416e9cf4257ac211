import type { Eventually } from './identity';
import { Denial, Reason } from './reasons';
import type { StoreDeadline } from './store-call';
import { TenantRecord, TenantStore, TtlCache } from './stores';

export interface TenantGateOptions {
  /** How long a tenant record (or its absence) is cached. */
  readonly cacheSeconds: number;
  readonly maxCacheEntries: number;
  readonly clock: () => number;
}

/**
 * The tenant gate: the caller's tenant must be known and enabled. Answers from its cache when it can (synchronously);
 * asks the store otherwise and caches the answer, an unknown tenant included.
 */
export class TenantGate {
  private readonly cache: TtlCache<TenantRecord | null>;

  constructor(private readonly store: TenantStore, private readonly deadline: StoreDeadline, private readonly options: TenantGateOptions) {
    this.cache = new TtlCache(options.maxCacheEntries, options.clock);
  }

  /** The tenant's record; throws (or rejects with) a {@link Denial} when the tenant is unknown or disabled, or the store cannot answer. */
  check(tenantId: string, now: number): Eventually<TenantRecord> {
    const record = this.cache.get(tenantId, now);
    if (record !== undefined) return admit(record);
    // An in-process store answers synchronously, and so does the gate; a network store's promise is chained.
    let found: Eventually<TenantRecord | undefined>;
    try {
      found = this.deadline.call(this.store, (o) => this.store.getTenant(tenantId, o));
    } catch (e) {
      throw unavailable(e);
    }
    if (found instanceof Promise) return found.then((r) => this.remember(tenantId, r), (e: unknown) => { throw unavailable(e); });
    return this.remember(tenantId, found);
  }

  /** Caches the store's answer (an unknown tenant included) and admits or refuses the tenant. */
  private remember(tenantId: string, found: TenantRecord | undefined): TenantRecord {
    const record = found ?? null;
    this.cache.set(tenantId, record, this.options.cacheSeconds * 1000);
    return admit(record);
  }
}

function unavailable(e: unknown): Denial {
  return new Denial(Reason.TENANT_STORE_UNAVAILABLE, (e as Error)?.message);
}

function admit(record: TenantRecord | null): TenantRecord {
  if (!record) throw new Denial(Reason.TENANT_UNKNOWN);
  if (record.disabled) throw new Denial(Reason.TENANT_DISABLED);
  return record;
}
