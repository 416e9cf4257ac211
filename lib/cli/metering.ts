/**
 * Each tenant's internal metering key: an API Gateway API key on the tenant plan's usage plan. The authorizer
 * returns it as `usageIdentifierKey` (from the tenant record), so clients never see or send it.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';

/** The API Gateway API key that meters one tenant (one per region: usage plans are regional). */
export const meteringKeyName = (platform: string, tenantId: string): string => `${platform}-tenant-${tenantId}`;

export interface MeteringKeyInput {
  readonly name: string;
  /** The key's value (the same in every region, so one tenant record serves all). */
  readonly value: string;
  readonly description: string;
  readonly tags: Record<string, string>;
}

/** The slice of API Gateway the CLI needs, behind an interface (API Gateway cannot run offline: tests use a fake). */
export interface MeteringKeys {
  /** The id of the usage plan with this exact name, or undefined. */
  findUsagePlan(name: string): Promise<string | undefined>;
  /** Creates an enabled API key with the given value; returns its id. */
  createKey(input: MeteringKeyInput): Promise<string>;
  /** Associates a key with a usage plan. */
  attachToUsagePlan(usagePlanId: string, keyId: string): Promise<void>;
  /** Disables a key: API Gateway then refuses requests metered with it (even while the authorizer's cache still allows). */
  disableKey(keyId: string): Promise<void>;
  /** Deletes a key (rollback of a half-done onboarding). */
  deleteKey(keyId: string): Promise<void>;
}

type Sdk = typeof import('@aws-sdk/client-api-gateway');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = (): Sdk => require('@aws-sdk/client-api-gateway') as Sdk;

/** {@link MeteringKeys} on the real API Gateway. */
export class ApiGatewayMeteringKeys implements MeteringKeys {
  constructor(private readonly client: APIGatewayClient) {}

  async findUsagePlan(name: string): Promise<string | undefined> {
    let position: string | undefined;
    do {
      const out = await this.client.send(new (sdk().GetUsagePlansCommand)({ position, limit: 500 }));
      const hit = out.items?.find((p) => p.name === name);
      if (hit?.id) return hit.id;
      position = out.position;
    } while (position);
    return undefined;
  }

  async createKey(input: MeteringKeyInput): Promise<string> {
    const out = await this.client.send(new (sdk().CreateApiKeyCommand)({ ...input, enabled: true }));
    if (!out.id) throw new Error('API Gateway CreateApiKey returned no id');
    return out.id;
  }

  async attachToUsagePlan(usagePlanId: string, keyId: string): Promise<void> {
    await this.client.send(new (sdk().CreateUsagePlanKeyCommand)({ usagePlanId, keyId, keyType: 'API_KEY' }));
  }

  async disableKey(keyId: string): Promise<void> {
    await this.client.send(new (sdk().UpdateApiKeyCommand)({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
  }

  async deleteKey(keyId: string): Promise<void> {
    await this.client.send(new (sdk().DeleteApiKeyCommand)({ apiKey: keyId }));
  }
}
