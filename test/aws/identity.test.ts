import { Duration, SecretValue } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformIdentity } from '../../constructs/aws/identity';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));

describe('PlatformIdentity', () => {
  const { stack } = testStack('Identity');
  const identity = new PlatformIdentity(stack, 'Identity', {
    spec,
    federation: { corporate: { clientId: 'orders-pool', clientSecret: SecretValue.secretsManager('orders/idp/corporate') } },
  });
  let template: Template;
  let findings: string[];
  beforeAll(() => {
    template = Template.fromStack(stack);
    findings = nagFindings(stack);
  });

  test('all four packs are clean', () => expect(findings).toEqual([]));

  test('MFA required with TOTP only, threat protection enforced on the Plus plan, strong passwords, deletion protection, no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, PasswordHistorySize: 24,
        },
      },
    });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
  });

  test('resource server per API with the spec scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'orders',
      Scopes: [{ ScopeName: 'orders:read', ScopeDescription: 'Read orders' }, { ScopeName: 'orders:write', ScopeDescription: 'Create orders' }],
    });
  });

  test('machine client: client credentials with a secret; public client: code + PKCE without a secret; both revocable and short-lived', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'orders-partner-batch',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: Match.arrayWith([{ 'Fn::Join': ['', [{ Ref: Match.anyValue() }, '/orders:read']] }]),
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 15,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'orders-web',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://app.example.com/callback'],
      SupportedIdentityProviders: ['COGNITO', 'corporate'],
      EnableTokenRevocation: true,
    });
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    for (const c of clients) expect(c.Properties.AllowedOAuthFlows).not.toContain('implicit');
  });

  test('OIDC federation of the spec issuer', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'corporate',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({ oidc_issuer: 'https://login.example.com/oauth2/default', client_id: 'orders-pool' }),
    });
  });

  test('authorizer issuers derived from the pool: Cognito access tokens by client id, then the external issuers', () => {
    const issuers = stack.resolve(identity.authorizerIssuers());
    expect(issuers).toHaveLength(2);
    expect(issuers[0]).toMatchObject({ tokenUse: 'access', algorithms: ['RS256'], tenantClaim: 'tenant_id' });
    expect(JSON.stringify(issuers[0].issuer)).toContain('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(issuers[0].clientIds).toHaveLength(2);
    expect(issuers[1]).toEqual({ issuer: 'https://login.example.com/oauth2/default', jwksUri: 'https://login.example.com/oauth2/default/.well-known/jwks.json', audience: ['api://orders'], algorithms: ['RS256', 'ES256'], tenantClaim: 'tenant_id' });
  });

  test('pool id published under a computed name', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/orders/identity/user-pool-id' });
  });
});

describe('PlatformIdentity validation', () => {
  test('stack outside the primary region', () => {
    const { stack } = testStack('Other', 'eu-central-1');
    expect(() => new PlatformIdentity(stack, 'I', { spec })).toThrow(/belongs in the primary region eu-west-1 \(received a stack in: eu-central-1\)/);
  });
  test('no user pool in the spec', () => {
    const { stack } = testStack();
    expect(() => new PlatformIdentity(stack, 'I', { spec: { ...spec, userPool: undefined } })).toThrow(/spec.identity.userPool is required by PlatformIdentity \(received: undefined\)/);
  });
  test('federation of an undeclared issuer', () => {
    const { stack } = testStack();
    expect(() => new PlatformIdentity(stack, 'I', { spec, federation: { okta: { clientId: 'x', clientSecret: SecretValue.unsafePlainText('x') } } })).toThrow(/federation names an issuer the spec does not declare \(received: "okta"/);
  });
  test('token validity too long', () => {
    const { stack } = testStack();
    expect(() => new PlatformIdentity(stack, 'I', { spec: { ...spec, userPool: { ...spec.userPool!, accessTokenValidityMinutes: 240 } } })).toThrow(/accessTokenValidityMinutes must be between 5 and 60 .*received: 240/);
  });
  test('refresh token validity out of range', () => {
    const { stack } = testStack();
    expect(() => new PlatformIdentity(stack, 'I', { spec, refreshTokenValidity: Duration.days(90) })).toThrow(/refreshTokenValidity must be between 1 hour and 30 days/);
  });
  test('public client without callback URLs', () => {
    const { stack } = testStack();
    const clients = [{ name: 'spa', kind: 'public' as const, scopes: ['orders:read'] }];
    expect(() => new PlatformIdentity(stack, 'I', { spec: { ...spec, userPool: { ...spec.userPool!, clients } } })).toThrow(/clients "spa" is public and needs callbackUrls/);
  });
  test('client scope no API declares', () => {
    const { stack } = testStack();
    const clients = [{ name: 'batch', kind: 'machine' as const, scopes: ['billing:read'] }];
    expect(() => new PlatformIdentity(stack, 'I', { spec: { ...spec, userPool: { ...spec.userPool!, clients } } })).toThrow(/requests a scope no API declares \(received: "billing:read"\)/);
  });
});
