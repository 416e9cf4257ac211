import {
  ApiKeyRecord, ApiKeyStore, hashApiKey, RevocationQuery, RevocationStatus, RevocationStore, TenantRecord, TenantStore,
} from './index';

/** The answer's empty list of revoked jtis, shared (never written to). */
const NONE: readonly string[] = Object.freeze([]);

/**
 * In-memory stores with the same semantics as the DynamoDB ones: for tests, benchmarks and local runs. They answer
 * synchronously (no promise), so a decision on them never waits.
 */
export class MemoryAuthorizerStore implements ApiKeyStore, RevocationStore, TenantStore {
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  readonly revokedJtis = new Set<string>();
  /** Subject revocations ("issued before", epoch seconds) by issuer, then subject. */
  readonly revokedSubjects = new Map<string, Map<string, number>>();
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
    let revokedJtis: string[] | undefined;
    for (const j of query.jtis) if (this.revokedJtis.has(j)) (revokedJtis ??= []).push(j);
    return { revokedJtis: revokedJtis ?? NONE, subjectRevokedBefore: this.revokedSubjects.get(query.issuer)?.get(query.subject) };
  }

  getTenant(tenantId: string): TenantRecord | undefined {
    this.calls.getTenant++;
    return this.tenants.get(tenantId);
  }

  putApiKey(apiKey: string, record: ApiKeyRecord): void {
    this.apiKeys.set(hashApiKey(apiKey), record);
  }

  revokeSubject(issuer: string, subject: string, revokedBefore: number): void {
    let subjects = this.revokedSubjects.get(issuer);
    if (!subjects) this.revokedSubjects.set(issuer, subjects = new Map());
    subjects.set(subject, revokedBefore);
  }
}
