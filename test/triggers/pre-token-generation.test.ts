// The pre-token-generation trigger's decisions, event by event (Cognito's V3 event shape); the contract suite runs the
// bundled trigger against the synthesized pool and table.
import { createPreTokenGenerationHandler, PreTokenGenerationV3Event } from '../../lib/triggers/pre-token-generation';

const env = { TENANT_CLAIM: 'tenant_id', MFA_REQUIRED: 'true', FEDERATED_TENANTS: JSON.stringify({ corporate: ['acme'], partners: null }) };
const handler = createPreTokenGenerationHandler({
  env,
  lookupClient: async (id) => ({ 'm2m-1': { tenantId: 'globex', disabled: false }, 'm2m-off': { tenantId: 'globex', disabled: true } } as Record<string, { tenantId: string; disabled: boolean }>)[id],
});

function userEvent(attributes: Record<string, string>): PreTokenGenerationV3Event {
  return {
    version: '3',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_x',
    userName: 'u',
    callerContext: { clientId: 'web' },
    request: { userAttributes: { sub: 'u', ...attributes }, scopes: ['openid'] },
    response: { claimsAndScopeOverrideDetails: null },
  };
}
const identities = (provider: string) => JSON.stringify([{ providerName: provider, providerType: 'OIDC', userId: 'x', primary: 'true' }]);
const claimsOf = (e: PreTokenGenerationV3Event) => e.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;

test('a native user of the MFA-required pool: tenant from the admin-only attribute, MFA true', async () => {
  expect(claimsOf(await handler(userEvent({ 'custom:tenant_id': 'acme' })))).toEqual({ tenant_id: 'acme', mfa_authenticated: true });
});

test('a federated user: the IdP\'s tenant when the IdP may assert it; MFA only when its amr says mfa', async () => {
  expect(claimsOf(await handler(userEvent({ 'identities': identities('corporate'), 'custom:idp_tenant': 'acme', 'custom:idp_amr': '["pwd","mfa"]' }))))
    .toEqual({ tenant_id: 'acme', mfa_authenticated: true });
  expect(claimsOf(await handler(userEvent({ 'identities': identities('corporate'), 'custom:idp_tenant': 'acme', 'custom:idp_amr': '["pwd","kba"]' }))))
    .toEqual({ tenant_id: 'acme', mfa_authenticated: false });
  expect(claimsOf(await handler(userEvent({ 'identities': identities('partners'), 'custom:idp_tenant': 'globex' }))))
    .toEqual({ tenant_id: 'globex', mfa_authenticated: false });
});

test('refusals: no tenant, an IdP asserting a tenant it may not, an unknown IdP, a federated user\'s admin attribute', async () => {
  await expect(handler(userEvent({}))).rejects.toThrow(/no valid tenant/);
  await expect(handler(userEvent({ 'custom:tenant_id': 'bad tenant!' }))).rejects.toThrow(/no valid tenant/);
  await expect(handler(userEvent({ 'identities': identities('corporate'), 'custom:idp_tenant': 'globex' }))).rejects.toThrow(/may not assert this tenant/);
  await expect(handler(userEvent({ 'identities': identities('rogue'), 'custom:idp_tenant': 'acme' }))).rejects.toThrow(/not one the platform federates/);
  // A federated user's tenant is the IdP's, never the native attribute.
  await expect(handler(userEvent({ 'identities': identities('partners'), 'custom:tenant_id': 'acme' }))).rejects.toThrow(/no valid tenant/);
});

test('client credentials: the client record\'s tenant, no MFA claim; unknown or disabled clients get no token', async () => {
  const m2m = (clientId: string): PreTokenGenerationV3Event => ({
    ...userEvent({}), triggerSource: 'TokenGeneration_ClientCredentials', callerContext: { clientId }, request: { userAttributes: {}, scopes: ['orders/orders:read'] },
  });
  const out = await handler(m2m('m2m-1'));
  expect(claimsOf(out)).toEqual({ tenant_id: 'globex' });
  expect(out.response.claimsAndScopeOverrideDetails?.idTokenGeneration).toBeUndefined();
  await expect(handler(m2m('m2m-off'))).rejects.toThrow(/disabled/);
  await expect(handler(m2m('nobody'))).rejects.toThrow(/not onboarded/);
});
