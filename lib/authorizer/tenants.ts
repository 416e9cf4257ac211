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
    return record === undefined ? this.ask(tenantId) : admit(record);
  }

  private async ask(tenantId: string): Promise<TenantRecord> {
    let record: TenantRecord | null;
    try {
      record = (await this.deadline.call(this.store, (o) => this.store.getTenant(tenantId, o))) ?? null;
    } catch (e) {
      throw new Denial(Reason.TENANT_STORE_UNAVAILABLE, (e as Error).message);
    }
    this.cache.set(tenantId, record, this.options.cacheSeconds * 1000);
    return admit(record);
  }
}

function admit(record: TenantRecord | null): TenantRecord {
  if (!record) throw new Denial(Reason.TENANT_UNKNOWN);
  if (record.disabled) throw new Denial(Reason.TENANT_DISABLED);
  return record;
}
