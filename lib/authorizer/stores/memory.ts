import {
  ApiKeyRecord, ApiKeyStore, hashApiKey, RevocationQuery, RevocationStatus, RevocationStore, TenantRecord, TenantStore,
} from './index';

/**
 * In-memory stores with the same semantics as the DynamoDB ones: for tests, benchmarks and local runs. They answer
 * synchronously (no promise), so a decision on them never waits.
 */
export class MemoryAuthorizerStore implements ApiKeyStore, RevocationStore, TenantStore {
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly revokedJtis = new Set<string>();
  readonly revokedSubjects = new Map<string, number>();
  readonly tenants = new Map<string, TenantRecord>();
  /** Answers from memory and cannot hang: the authorizer calls it without a deadline (see StoreDeadline). */
  readonly inProcess = true;
  /** Calls per method, so tests can see what the caches saved. */
  readonly calls = { getApiKey: 0, getRevocationStatus: 0, getTenant: 0 };

  getApiKey(sha256Hex: string): ApiKeyRecord | undefined {
    this.calls.getApiKey++;
    return this.apiKeys.get(sha256Hex);
  }

  getRevocationStatus(query: RevocationQuery): RevocationStatus {
    this.calls.getRevocationStatus++;
    return {
      revokedJtis: query.jtis.filter((j) => this.revokedJtis.has(j)),
      subjectRevokedBefore: this.revokedSubjects.get(`${query.issuer}#${query.subject}`),
    };
  }

  getTenant(tenantId: string): TenantRecord | undefined {
    this.calls.getTenant++;
    return this.tenants.get(tenantId);
  }

  putApiKey(apiKey: string, record: ApiKeyRecord): void {
    this.apiKeys.set(hashApiKey(apiKey), record);
  }

  revokeSubject(issuer: string, subject: string, revokedBefore: number): void {
    this.revokedSubjects.set(`${issuer}#${subject}`, revokedBefore);
  }
}
