// Deployment contract: identity and authorization of the example platform (full and lean=true), taken from the
// synthesized cloud assembly on one side (authorizer configuration, identity sources, cache TTL, trigger environment,
// app clients, WAF rule) and driven on the other with the bundled runtime code and what AWS really sends: Cognito's
// documented token claim sets passed through the bundled pre-token-generation trigger with Cognito's V3 event, and real
// SDK sign-in tokens from moto_server's Cognito. DynamoDB is moto_server's; API Gateway is modelled from the template.
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeployFacts, findResource, Template } from './intrinsics';
import {
  ACCOUNT, assetOf, authorizerConfigOf, authorizerFunctionOf, environmentOf, GatewayModel, invokeLambda, loadAuthorizer,
  PreTokenGenerationV3Event, publishedParameters, synthExample,
  SynthesizedPlatform,
} from './platform';
import type { AuthorizerConfig, AuthorizerEvent } from '../../lib/authorizer';
import { DynamoDbAuthorizerStore } from '../../lib/authorizer/stores/dynamodb';
import {
  API_KEY_SCHEME, AUTHORIZATION_HEADER, customAttribute, DEFAULT_REVOCATION_BOUND_SECONDS, jwtPrincipal, MFA_CLAIM, PoolAttributes,
} from '../../lib/spec/contracts/identity';
import { MOTO_CREDENTIALS, MotoServer, startMoto } from '../support/moto';

const PRIMARY = 'eu-west-1';
const POOL_ID = `${PRIMARY}_Contract01`;
const ISSUER = `https://cognito-idp.${PRIMARY}.amazonaws.com/${POOL_ID}`;
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SIGNING_KID = 'contract-key-1';
const JWKS = JSON.stringify({ keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: SIGNING_KID, alg: 'RS256', use: 'sig' }] });

let moto: MotoServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  // The bundled code's AWS SDK clients (authorizer stores, trigger) reach moto_server through the standard variables.
  Object.assign(process.env, {
    AWS_REGION: PRIMARY,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: moto.endpoint,
  });
}, 60_000);
afterAll(async () => {
  process.env = savedEnv;
  await moto?.stop();
});

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
function signToken(claims: Record<string, unknown>): string {
  const input = `${b64({ kid: SIGNING_KID, alg: 'RS256' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), signing.privateKey).toString('base64url')}`;
}

/** Applies a V3 trigger's claim overrides to a token's claims, as Cognito does. */
type ClaimOverrides = { claimsToAddOrOverride?: Record<string, unknown>; claimsToSuppress?: string[] } | undefined;
function applyOverrides(claims: Record<string, unknown>, details: ClaimOverrides) {
  const out = { ...claims, ...(details?.claimsToAddOrOverride ?? {}) };
  for (const c of details?.claimsToSuppress ?? []) delete out[c];
  return out;
}

function refsOf(template: Template): Record<string, string> {
  // What `Ref` returns once deployed: names for named resources, made-up ids for the pool and its clients.
  const refs: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Cognito::UserPool') refs[id] = POOL_ID;
    else if (r.Type === 'AWS::Cognito::UserPoolClient') refs[id] = `client-${String(p.ClientName)}`;
    else if (r.Type === 'AWS::Cognito::UserPoolResourceServer') refs[id] = String(p.Identifier);
    else if (r.Type === 'AWS::DynamoDB::GlobalTable' || r.Type === 'AWS::DynamoDB::Table') refs[id] = String(p.TableName);
  }
  return refs;
}

describe.each([['lean=true', true], ['full', false]])('example platform (%s)', (_name, lean) => {
  let platform: SynthesizedPlatform;
  let global: Template;
  let regional: Template;
  let globalFacts: DeployFacts;
  let regionalFacts: DeployFacts;
  let config: AuthorizerConfig;
  let authorizerFn: string;
  let restApiId: string;
  let store: DynamoDbAuthorizerStore;
  let clientIds: Record<string, string>;

  beforeAll(async () => {
    platform = synthExample(lean);
    global = platform.templates['Orders-Global'];
    regional = platform.templates[`Orders-Region-${PRIMARY}`];
    globalFacts = { region: PRIMARY, account: ACCOUNT, refs: refsOf(global) };
    regionalFacts = { region: PRIMARY, account: ACCOUNT, ssm: publishedParameters(global, PRIMARY, PRIMARY, globalFacts) };
    authorizerFn = authorizerFunctionOf(platform.outdir, regional);
    config = authorizerConfigOf(platform.outdir, regional, authorizerFn, regionalFacts);
    restApiId = findResource(regional, 'AWS::ApiGateway::RestApi');
    clientIds = Object.fromEntries(Object.entries(global.Resources).filter(([, r]) => r.Type === 'AWS::Cognito::UserPoolClient')
      .map(([id, r]) => [String(r.Properties!.ClientName), globalFacts.refs![id]]));

    // The platform table, as the global stack creates it, in moto_server.
    const client = new DynamoDBClient({ region: PRIMARY, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    await client.send(new CreateTableCommand({
      TableName: config.tableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    store = new DynamoDbAuthorizerStore({ tableName: config.tableName!, client });
    await store.putTenant({ tenantId: 'acme', disabled: false, meteringKey: 'meter-acme' });
    await store.putTenant({ tenantId: 'globex', disabled: false, meteringKey: 'meter-globex' });
    await store.putClientTenant(clientIds['orders-partner-batch'], 'globex');
  }, 300_000);
  afterAll(async () => {
    await moto.reset();
  });

  /**
   * The authorizer as deployed: the bundled code and the rendered configuration, its table in moto_server; the JWKS of
   * the pool's issuer is the test key's. (The stores are the same DynamoDB store class with a client for moto_server:
   * jest's sandbox cannot run the bundled SDK's dynamic imports; the trigger below runs its bundled SDK unchanged.)
   */
  function deployed(
    clock: { ms: number },
    reasons: string[] = [],
    cfg: AuthorizerConfig = config,
    jwks: (uri: string) => Promise<Buffer> = async () => Buffer.from(JWKS),
  ) {
    const { createAuthorizer } = loadAuthorizer(assetOf(platform, regional, authorizerFn));
    const authorize = createAuthorizer(cfg, {
      stores: { apiKeys: store, revocations: store, tenants: store },
      clock: () => clock.ms,
      jwksFetcher: async (uri) => {
        if (!uri.startsWith(cfg.issuers[0].issuer)) throw new Error(`no JWKS at ${uri} in this test`);
        return jwks(uri);
      },
      log: (line) => {
        const l = JSON.parse(line) as { message?: string; Reason?: string };
        if (l.message === 'authorizer decision' && l.Reason) reasons.push(l.Reason);
      },
    });
    const gateway = new GatewayModel(regional, restApiId, (_fn, event: AuthorizerEvent) => authorize(event), () => clock.ms / 1000, PRIMARY);
    return gateway;
  }

  /** Runs the bundled trigger with Cognito's documented V3 event; its environment is the template's, resolved. */
  async function trigger(event: Record<string, unknown>) {
    const fn = findResource(global, 'AWS::Lambda::Function', (p) => JSON.stringify(p).includes('MFA_REQUIRED'));
    return invokeLambda<PreTokenGenerationV3Event>(assetOf(platform, global, fn), environmentOf(global, fn, globalFacts),
      { version: '3', region: PRIMARY, userPoolId: POOL_ID, response: { claimsAndScopeOverrideDetails: null }, ...event });
  }

  /** A hosted-UI (authorization code) access token of the `web` client, per Cognito's documented claim set, through the trigger. */
  async function hostedUiToken(attributes: Record<string, string>, scopes = ['openid', 'orders/orders:read']) {
    const sub = randomUUID();
    const clientId = clientIds['orders-web'];
    const out = await trigger({
      triggerSource: 'TokenGeneration_HostedAuth',
      userName: sub,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
      request: {
        userAttributes: { 'sub': sub, 'cognito:user_status': 'CONFIRMED', 'email_verified': 'true', 'email': 'ana@example.com', ...attributes },
        groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
        scopes,
      },
    });
    const t = Math.floor(Date.now() / 1000);
    const claims = applyOverrides({
      'sub': sub,
      'cognito:groups': ['order-readers'],
      'iss': ISSUER,
      'version': 2,
      'client_id': clientId,
      'origin_jti': randomUUID(),
      'event_id': randomUUID(),
      'token_use': 'access',
      'scope': scopes.join(' '),
      'auth_time': t,
      'exp': t + 900,
      'iat': t,
      'jti': randomUUID(),
      'username': sub,
    }, out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration);
    return { token: signToken(claims), claims };
  }

  /** A client-credentials access token, per Cognito's documented claim set (sub is the client id), through the trigger. */
  async function clientCredentialsToken(clientId: string, scope = 'orders/orders:read orders/orders:write') {
    const out = await trigger({
      triggerSource: 'TokenGeneration_ClientCredentials',
      userName: null,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
      request: { userAttributes: {}, groupConfiguration: null, scopes: scope.split(' '), clientMetadata: {} },
    });
    const t = Math.floor(Date.now() / 1000);
    const claims = applyOverrides({
      sub: clientId, token_use: 'access', scope, auth_time: t, iss: ISSUER, exp: t + 900, iat: t, version: 2, jti: randomUUID(), client_id: clientId,
    }, out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration);
    return { token: signToken(claims), claims };
  }

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  test('the pool runs one pre-token-generation trigger, event version V3_0 (users and client credentials)', () => {
    const pool = Object.values(global.Resources).find((r) => r.Type === 'AWS::Cognito::UserPool')!;
    const lambdaConfig = pool.Properties!.LambdaConfig as { PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string } };
    const trig = lambdaConfig.PreTokenGenerationConfig;
    expect(trig.LambdaVersion).toBe('V3_0');
    expect(JSON.stringify(trig.LambdaArn)).toContain(findResource(global, 'AWS::Lambda::Function', (p) => JSON.stringify(p).includes('MFA_REQUIRED')));
  });

  test('no app client can write the tenant attribute, and every client lists its auth flows', () => {
    const clients = Object.values(global.Resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolClient');
    expect(clients.length).toBeGreaterThan(0);
    for (const c of clients) {
      expect(c.Properties!.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      const writable = c.Properties!.WriteAttributes as string[];
      expect(Array.isArray(writable)).toBe(true);
      expect(writable).not.toContain(customAttribute(PoolAttributes.tenant));
    }
  });

  test('a hosted-UI user gets the tenant from the admin-only attribute and reads orders; the principal is issuer-qualified', async () => {
    const { token, claims } = await hostedUiToken({ [customAttribute(PoolAttributes.tenant)]: 'acme' });
    expect(claims.tenant_id).toBe('acme');
    expect(claims[MFA_CLAIM]).toBe(true);
    const answer = await deployed({ ms: 0 }).request({ method: 'GET', path: '/orders/42', headers: bearer(token) });
    expect(answer).toMatchObject({ status: 200, invoked: true, context: { tenantId: 'acme', authMethod: 'jwt' } });
    expect(answer.principalId).toBe(jwtPrincipal(ISSUER, String(claims.sub)));
  });

  test('a user without a tenant gets no token; a user who writes the federated tenant attribute gains nothing', async () => {
    await expect(hostedUiToken({})).rejects.toThrow(/no valid tenant/);
    await expect(hostedUiToken({ [customAttribute(PoolAttributes.federatedTenant)]: 'globex' })).rejects.toThrow(/no valid tenant/);
  });

  test('the web client\'s users cannot write (its scopes are read-only)', async () => {
    const { token } = await hostedUiToken({ [customAttribute(PoolAttributes.tenant)]: 'acme' });
    const reasons: string[] = [];
    const answer = await deployed({ ms: 0 }, reasons).request({ method: 'POST', path: '/orders', headers: bearer(token) });
    expect(answer.status).toBe(403);
    expect(reasons).toEqual(['insufficient_scope']);
  });

  test('a client-credentials token carries the tenant of its client record and writes; an unbound client gets no token', async () => {
    const { token, claims } = await clientCredentialsToken(clientIds['orders-partner-batch']);
    expect(claims.tenant_id).toBe('globex');
    const answer = await deployed({ ms: 0 }).request({ method: 'POST', path: '/orders', headers: bearer(token) });
    expect(answer).toMatchObject({ status: 200, context: { tenantId: 'globex', clientId: clientIds['orders-partner-batch'] } });
    await expect(clientCredentialsToken('client-not-onboarded')).rejects.toThrow(/not onboarded/);
  });

  test('another API\'s scope never passes this API\'s route', async () => {
    const { token } = await clientCredentialsToken(clientIds['orders-partner-batch'], 'billing/orders:write orders/orders:read');
    const reasons: string[] = [];
    expect((await deployed({ ms: 0 }, reasons).request({ method: 'POST', path: '/orders', headers: bearer(token) })).status).toBe(403);
    expect(reasons).toEqual(['insufficient_scope']);
  });

  test('API keys travel in the Authorization header, the one the gateway requires and the WAF per-key rule counts', async () => {
    const apiKey = createHash('sha256').update(randomUUID()).digest('base64url');
    await store.putApiKey({ apiKey, keyId: 'key-contract', tenantId: 'acme', scopes: ['orders:read'] });
    const gateway = deployed({ ms: 0 });
    expect(await gateway.request({ method: 'GET', path: '/orders/1', headers: { 'x-api-key': apiKey } })).toEqual({ status: 401, invoked: false });
    expect(await gateway.request({ method: 'GET', path: '/orders/1', headers: { Authorization: `${API_KEY_SCHEME} ${apiKey}` } }))
      .toMatchObject({ status: 200, invoked: true, context: { authMethod: 'apiKey', tenantId: 'acme' } });

    for (const a of Object.values(gateway.authorizers)) expect(a.identitySources).toContain(`method.request.header.${AUTHORIZATION_HEADER.replace(/^a/, 'A')}`);
    const acl = Object.values(regional.Resources).find((r) => r.Type === 'AWS::WAFv2::WebACL')!;
    const rule = (acl.Properties!.Rules as Array<{ Name: string; Statement: { RateBasedStatement: Record<string, any> } }>).find((r) => r.Name === 'RatePerApiKey')!;
    expect(rule.Statement.RateBasedStatement.CustomKeys[0].Header.Name).toBe(AUTHORIZATION_HEADER);
    expect(rule.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.SearchString).toBe(`${API_KEY_SCHEME.toLowerCase()} `);
  });

  test('a revoked token is refused within the bound printed at synth (≤ 60 s): gateway TTL + authorizer cache', async () => {
    const ttl = Math.max(...Object.values(new GatewayModel(regional, restApiId, async () => { throw new Error('unused'); }, () => 0, PRIMARY).authorizers).map((a) => a.ttlSeconds));
    const cacheSeconds = config.revocation!.cacheSeconds!;
    const printed = platform.messages[`Orders-Region-${PRIMARY}`].find((m) => m.startsWith('revocation bound'));
    const bound = Number(/: (\d+) s =/.exec(printed ?? '')?.[1]);
    expect(bound).toBeLessThanOrEqual(DEFAULT_REVOCATION_BOUND_SECONDS);
    expect(bound).toBeGreaterThanOrEqual(ttl + cacheSeconds);
    // The evidence records the same figure.
    const evidence = JSON.parse(readFileSync(path.join(platform.outdir, 'compliance', 'evidence.json'), 'utf8')) as { revocationBoundSeconds?: number };
    expect(evidence.revocationBoundSeconds).toBe(bound);

    const { token, claims } = await hostedUiToken({ [customAttribute(PoolAttributes.tenant)]: 'acme' });
    const clock = { ms: 0 };
    const gateway = deployed(clock);
    const get = (id: number) => gateway.request({ method: 'GET', path: `/orders/${id}`, headers: bearer(token) });
    expect((await get(7)).status).toBe(200);
    await store.revokeJti(String(claims.jti), Number(claims.exp));
    // The worst case: the authorizer's "not revoked" answer (cached at t = 0) allows a new request just before it
    // expires, and the gateway then reuses that allow for its whole TTL.
    clock.ms = (cacheSeconds - 1) * 1000;
    expect(await get(8)).toMatchObject({ status: 200, invoked: true });
    clock.ms = (cacheSeconds - 1 + Math.max(0, ttl - 1)) * 1000;
    expect(await get(8)).toMatchObject({ status: 200, invoked: ttl === 0 });
    // Refused once both caches have expired: never later than the bound printed at synth.
    clock.ms = (ttl + cacheSeconds) * 1000;
    expect(await get(8)).toMatchObject({ status: 401, invoked: true });
    expect(await get(7)).toMatchObject({ status: 401, invoked: true });
  });

  test('real SDK sign-in tokens of moto_server\'s Cognito: signature and client verified, refused for want of the trigger\'s tenant', async () => {
    const call = async (target: string, body: Record<string, unknown>) => {
      const res = await fetch(moto.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}`, 'authorization': `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20260101/${PRIMARY}/cognito-idp/aws4_request` },
        body: JSON.stringify(body),
      });
      return res.json() as Promise<Record<string, any>>;
    };
    const pool = (await call('CreateUserPool', { PoolName: 'orders-users' })).UserPool;
    const client = (await call('CreateUserPoolClient', { UserPoolId: pool.Id, ClientName: 'orders-web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })).UserPoolClient;
    await call('AdminCreateUser', { UserPoolId: pool.Id, Username: 'ana@example.com', MessageAction: 'SUPPRESS' });
    await call('AdminSetUserPassword', { UserPoolId: pool.Id, Username: 'ana@example.com', Password: 'Correct-Horse-9!battery', Permanent: true });
    const auth = (await call('InitiateAuth', { ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ana@example.com', PASSWORD: 'Correct-Horse-9!battery' } })).AuthenticationResult;
    const header = JSON.parse(Buffer.from(String(auth.AccessToken).split('.')[0], 'base64url').toString()) as { kid: string };
    const payload = JSON.parse(Buffer.from(String(auth.AccessToken).split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(header.kid).toBe('dummy');
    expect(payload.scope).toBe('aws.cognito.signin.user.admin');

    // The regional stack resolved against what the global stack would publish for this pool and client.
    const facts: DeployFacts = { ...regionalFacts, ssm: { ...regionalFacts.ssm, '/orders/identity/user-pool-id': pool.Id, '/orders/identity/client-ids': `${client.ClientId},${client.ClientId}` } };
    const motoConfig = authorizerConfigOf(platform.outdir, regional, authorizerFn, facts);
    expect(motoConfig.issuers[0].issuer).toBe(payload.iss);
    const reasons: string[] = [];
    const gateway = deployed({ ms: 0 }, reasons, motoConfig, async () => Buffer.from(await (await fetch(`${moto.endpoint}/${pool.Id}/.well-known/jwks.json`)).arrayBuffer()));
    expect((await gateway.request({ method: 'GET', path: '/orders/1', headers: bearer(auth.AccessToken) })).status).toBe(401);
    expect((await gateway.request({ method: 'GET', path: '/orders/2', headers: bearer(auth.IdToken) })).status).toBe(401);
    expect(reasons).toEqual(['missing_tenant', 'wrong_token_use']);
  });
});
