// The tenant id, one pattern (TENANT_ID_PATTERN in the identity contract) read by every part that writes or reads one:
// each part's own code is driven at the pattern's edges, so a part that drifts (a longer limit, `#` allowed) fails here.
import { randomBytes } from 'node:crypto';
import { createAuthorizer, hashApiKey, MemoryAuthorizerStore, validateAuthorizerConfig } from '../../lib/authorizer';
import { checkTenantId } from '../../lib/cli/validate';
import { validateSpec } from '../../lib/spec';
import { createPreTokenGenerationHandler, PreTokenGenerationV3Event } from '../../lib/triggers/pre-token-generation';
import {
  baseConfig, bearer, claims, event, JwksServer, outcome, rsaKey, signJwt, TestKey,
} from '../authorizer/helpers';
import { fixtureSpec } from '../fixtures/platform-spec';

const ACCEPTED = ['a', 'Acme.Corp_eu-1', 'x'.repeat(64)];
const REFUSED = ['', 'x'.repeat(65), 'acme#1', 'ac me', 'acmé', 'acme/eu'];
const cases = [...ACCEPTED.map((t) => [t, true] as const), ...REFUSED.map((t) => [t, false] as const)];

const server = new JwksServer();
let key: TestKey;
beforeAll(async () => {
  await server.start();
  key = rsaKey('k1');
  server.keys = [key.publicJwk];
});
afterAll(() => server.stop());

/** Whether each part accepts `tenant`: the spec, the CLI, the authorizer's configuration, tokens, API-key records, the trigger. */
async function accepted(tenant: string): Promise<Record<string, boolean>> {
  const raw = fixtureSpec('aws', { lean: true });
  const spec = { ...raw, identity: { ...raw.identity, issuers: raw.identity.issuers!.map((i) => ({ ...i, tenants: [tenant] })) } };
  const cli = (() => {
    try {
      checkTenantId(tenant);
      return true;
    } catch {
      return false;
    }
  })();
  const config = baseConfig(server.issuer, server.uri);
  const configAccepts = (() => {
    try {
      validateAuthorizerConfig({ ...config, issuers: [{ ...config.issuers[0], tenants: [tenant] }] });
      return true;
    } catch {
      return false;
    }
  })();
  const store = new MemoryAuthorizerStore();
  const apiKey = randomBytes(24).toString('base64url');
  store.apiKeys.set(hashApiKey(apiKey), { keyId: 'k-1', tenantId: tenant, scopes: ['orders:read'] });
  const authorize = createAuthorizer({ ...config, apiKeys: {} }, { log: () => undefined, stores: { apiKeys: store } });
  const token = (await outcome(authorize(bearer(signJwt(key, claims(server.issuer, { tenant_id: tenant })))))).status === 200;
  const keyRecord = (await outcome(authorize(event({ headers: { Authorization: `ApiKey ${apiKey}` } })))).status === 200;
  const trigger = createPreTokenGenerationHandler({ env: {}, lookupClient: async () => ({ tenantId: tenant, disabled: false }) });
  const clientCredentials = {
    version: '3',
    triggerSource: 'TokenGeneration_ClientCredentials',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_x',
    userName: null,
    callerContext: { clientId: 'm2m' },
    request: { userAttributes: {}, scopes: [] },
    response: { claimsAndScopeOverrideDetails: null },
  } as unknown as PreTokenGenerationV3Event;
  const triggered = await trigger(clientCredentials).then(() => true, () => false);
  return {
    spec: !validateSpec(spec).some((i) => i.path.endsWith('.tenants')),
    cli,
    config: configAccepts,
    token,
    apiKeyRecord: keyRecord,
    trigger: triggered,
  };
}

test.each(cases)('tenant id %j: every part says %s', async (tenant, expected) => {
  const verdicts = await accepted(tenant);
  expect(verdicts).toEqual({ spec: expected, cli: expected, config: expected, token: expected, apiKeyRecord: expected, trigger: expected });
});
