/**
 * The user pool's pre-token-generation trigger (event version V3_0: users and client credentials). Runtime code only;
 * bundled ahead of synth by `npm run bundle:authorizer` into `assets/pre-token-generation/index.js`.
 *
 * Cognito access tokens never carry custom attributes, and client-credentials tokens have no user at all, so the
 * tenant (and the MFA fact, since a trigger may not set `amr`) are added here, from sources no caller can write:
 * - a native user: the admin-only attribute `custom:tenant_id` (no app client may write it); MFA is `true` when the
 *   pool requires MFA (every sign-in passed a second factor);
 * - a federated user: `custom:idp_tenant`, mapped from the IdP's tenant claim at every sign-in, accepted only when the
 *   IdP may assert that tenant; MFA only when the IdP's `amr` (mapped to `custom:idp_amr`) contains `mfa`;
 * - a machine client (client credentials): the platform table's `CLIENT#<client id>` record.
 * Anything missing or invalid throws, and Cognito then issues no token (fail closed).
 *
 * Environment: `TABLE_NAME` (the platform table), `MFA_REQUIRED` (`true` when the pool requires MFA),
 * `TENANT_CLAIM` (default `tenant_id`), `FEDERATED_TENANTS` (JSON: IdP name → tenants it may assert; absent: any).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ItemKeys } from '../authorizer/stores/index';
import {
  AMR_MFA, customAttribute, DEFAULT_TENANT_CLAIM, MFA_CLAIM, PoolAttributes, TENANT_ID_PATTERN,
} from '../spec/contracts/identity';
import { SecureApiPlatformError } from '../spec/errors';

/** Cognito's pre-token-generation event, version 3 (the members read here). */
export interface PreTokenGenerationV3Event {
  readonly version: string;
  readonly triggerSource: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userName?: string;
  readonly callerContext: { readonly awsSdkVersion?: string; readonly clientId: string };
  readonly request: {
    readonly userAttributes: Record<string, string>;
    readonly scopes?: string[];
    readonly groupConfiguration?: unknown;
    readonly clientMetadata?: Record<string, string>;
  };
  response: {
    claimsAndScopeOverrideDetails?: {
      idTokenGeneration?: { claimsToAddOrOverride?: Record<string, unknown>; claimsToSuppress?: string[] };
      accessTokenGeneration?: {
        claimsToAddOrOverride?: Record<string, unknown>; claimsToSuppress?: string[]; scopesToAdd?: string[]; scopesToSuppress?: string[];
      };
    } | null;
  };
}

/** Reads a machine client's tenant; injectable for tests. */
export type ClientTenantLookup = (clientId: string) => Promise<{ tenantId: string; disabled: boolean } | undefined>;

export const CLIENT_CREDENTIALS_SOURCE = 'TokenGeneration_ClientCredentials';

type Sdk = typeof import('@aws-sdk/client-dynamodb');
let client: InstanceType<Sdk['DynamoDBClient']> | undefined;

/** Reads the platform table's `CLIENT#<id>` record (`tenantId` S, `disabled` BOOL). */
export function tableClientTenant(tableName: string | undefined): ClientTenantLookup {
  return async (clientId) => {
    if (!tableName) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@aws-sdk/client-dynamodb') as Sdk;
    client ??= new sdk.DynamoDBClient({ maxAttempts: 2 });
    const k = ItemKeys.client(clientId);
    const out = await client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { pk: { S: k.pk }, sk: { S: k.sk } }, ConsistentRead: true }));
    const item: Record<string, AttributeValue> | undefined = out.Item;
    if (!item?.tenantId?.S) return undefined;
    // A record without `disabled` counts as disabled: onboarding writes it explicitly.
    return { tenantId: item.tenantId.S, disabled: item.disabled?.BOOL !== false };
  };
}

/** Refusal: Cognito answers the sign-in or token request with an error and issues no token. */
export class TokenRefused extends SecureApiPlatformError {
  constructor(reason: string) {
    super(`token refused: ${reason}`);
    this.name = 'TokenRefused';
  }
}

/** The IdP a federated user came from (Cognito's `identities` attribute), or undefined for a native user. */
function federatedProvider(attributes: Record<string, string>): string | undefined {
  const raw = attributes.identities;
  if (raw === undefined) return attributes['cognito:user_status'] === 'EXTERNAL_PROVIDER' ? '' : undefined;
  try {
    const list = JSON.parse(raw) as Array<{ providerName?: unknown }>;
    const name = Array.isArray(list) ? list[0]?.providerName : undefined;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

/** `mfa` in an `amr` value as Cognito stores a mapped claim: a JSON array, or space/comma separated. */
function amrHasMfa(value: string | undefined): boolean {
  if (!value) return false;
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    list = value.split(/[\s,]+/);
  }
  return Array.isArray(list) && list.includes(AMR_MFA);
}

export interface TriggerOptions {
  readonly lookupClient?: ClientTenantLookup;
  readonly env?: Record<string, string | undefined>;
}

/** Builds the handler; `handler` below is the one Lambda runs. */
export function createPreTokenGenerationHandler(options: TriggerOptions = {}) {
  const env = options.env ?? process.env;
  const lookupClient = options.lookupClient ?? tableClientTenant(env.TABLE_NAME);
  const tenantClaim = env.TENANT_CLAIM || DEFAULT_TENANT_CLAIM;
  const mfaRequired = env.MFA_REQUIRED === 'true';
  const federatedTenants = env.FEDERATED_TENANTS ? JSON.parse(env.FEDERATED_TENANTS) as Record<string, string[] | null> : {};

  return async function preTokenGeneration(event: PreTokenGenerationV3Event): Promise<PreTokenGenerationV3Event> {
    if (event.triggerSource === CLIENT_CREDENTIALS_SOURCE) {
      const record = await lookupClient(event.callerContext.clientId);
      if (!record) throw new TokenRefused('the client is not onboarded to a tenant');
      if (record.disabled) throw new TokenRefused('the client\'s tenant binding is disabled');
      if (!TENANT_ID_PATTERN.test(record.tenantId)) throw new TokenRefused('the client\'s tenant id is invalid');
      event.response = { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { [tenantClaim]: record.tenantId } } } };
      return event;
    }
    const attributes = event.request.userAttributes ?? {};
    const provider = federatedProvider(attributes);
    let tenant: string | undefined;
    let mfa: boolean;
    if (provider === undefined) {
      tenant = attributes[customAttribute(PoolAttributes.tenant)];
      mfa = mfaRequired;
    } else {
      tenant = attributes[customAttribute(PoolAttributes.federatedTenant)];
      const allowed = Object.prototype.hasOwnProperty.call(federatedTenants, provider) ? federatedTenants[provider] : undefined;
      if (provider === '' || allowed === undefined) throw new TokenRefused('the identity provider is not one the platform federates');
      if (tenant !== undefined && allowed !== null && !allowed.includes(tenant)) throw new TokenRefused('the identity provider may not assert this tenant');
      mfa = amrHasMfa(attributes[customAttribute(PoolAttributes.federatedAmr)]);
    }
    if (tenant === undefined || !TENANT_ID_PATTERN.test(tenant)) throw new TokenRefused('the user has no valid tenant');
    const claims = { [tenantClaim]: tenant, [MFA_CLAIM]: mfa };
    event.response = {
      claimsAndScopeOverrideDetails: {
        accessTokenGeneration: { claimsToAddOrOverride: claims },
        idTokenGeneration: { claimsToAddOrOverride: claims },
      },
    };
    return event;
  };
}

let instance: ReturnType<typeof createPreTokenGenerationHandler> | undefined;

/** The Lambda entry point. */
export async function handler(event: PreTokenGenerationV3Event): Promise<PreTokenGenerationV3Event> {
  instance ??= createPreTokenGenerationHandler();
  return instance(event);
}
