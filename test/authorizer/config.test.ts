import { AuthorizerConfig, AuthorizerConfigError, validateAuthorizerConfig } from '../../lib/authorizer';

const valid: AuthorizerConfig = {
  issuers: [{ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json', clientIds: ['app'], tokenUse: 'access' }],
  routes: { 'GET /orders/{id}': { scopes: ['orders:read'] } },
  tableName: 'platform-authz',
};

function mutate(patch: Record<string, unknown>): unknown {
  return { ...valid, ...patch };
}

test('a valid configuration resolves with secure defaults, without changing its input', () => {
  const input = JSON.parse(JSON.stringify(valid)) as AuthorizerConfig;
  const resolved = validateAuthorizerConfig(input);
  expect(input).toEqual(valid);
  expect(resolved).toMatchObject({
    jwksTimeoutMs: 1500,
    clockSkewSeconds: 60,
    maxTokenLifetimeSeconds: 86_400,
    storeTimeoutMs: 500,
    revocation: { enabled: true, failOpen: false, cacheSeconds: 30 },
    tenants: { enabled: true, cacheSeconds: 60 },
    certificateBinding: { required: false },
    apiKeys: undefined,
  });
  expect(resolved.issuers[0]).toMatchObject({ algorithms: ['RS256'], tenantClaim: 'tenant_id', requireJti: true });
});

test.each<[string, unknown, RegExp]>([
  ['not an object', 'x', /AuthorizerConfig\.\(root\): must be an object/],
  ['unknown top-level option', mutate({ issuerz: [] }), /AuthorizerConfig\.\(root\)\.issuerz: is not a known option/],
  ['issuers missing', mutate({ issuers: undefined }), /AuthorizerConfig\.issuers: must be an array/],
  ['no issuers and no API keys', mutate({ issuers: [] }), /AuthorizerConfig\.issuers: must list at least one issuer/],
  ['http issuer', mutate({ issuers: [{ ...valid.issuers[0], issuer: 'http://idp.example.com' }] }), /issuers\[0\]\.issuer: must use https .*received: "http:\/\/idp\.example\.com"/],
  ['http JWKS on a non-loopback host', mutate({ issuers: [{ ...valid.issuers[0], jwksUri: 'http://10.0.0.1/jwks' }] }), /issuers\[0\]\.jwksUri: must use https/],
  ['issuer with a fragment', mutate({ issuers: [{ ...valid.issuers[0], issuer: 'https://idp.example.com/#x' }] }), /issuers\[0\]\.issuer: must not carry a #fragment/],
  ['issuer with credentials', mutate({ issuers: [{ ...valid.issuers[0], jwksUri: 'https://u:p@idp.example.com/jwks' }] }), /jwksUri: must not embed credentials/],
  ['neither audience nor clientIds', mutate({ issuers: [{ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' }] }), /issuers\[0\]: needs `audience` .* or `clientIds`/],
  ['empty audience', mutate({ issuers: [{ ...valid.issuers[0], audience: [] }] }), /issuers\[0\]\.audience: must be a non-empty array/],
  ['scope prefix with a slash', mutate({ issuers: [{ ...valid.issuers[0], scopePrefixes: ['orders/v1'] }] }), /issuers\[0\]\.scopePrefixes\[0\]: must be a resource-server identifier without "\/".*received: "orders\/v1"/],
  ['HS256 allowed', mutate({ issuers: [{ ...valid.issuers[0], algorithms: ['HS256'] }] }), /issuers\[0\]\.algorithms\[0\]: must be one of RS256.*received: "HS256"/],
  ['alg none allowed', mutate({ issuers: [{ ...valid.issuers[0], algorithms: ['none'] }] }), /algorithms\[0\]: must be one of/],
  ['bad tokenUse', mutate({ issuers: [{ ...valid.issuers[0], tokenUse: 'refresh' }] }), /issuers\[0\]\.tokenUse: must be 'access' or 'id'/],
  ['duplicate issuer', mutate({ issuers: [valid.issuers[0], valid.issuers[0]] }), /issuers\[1\]\.issuer: is listed twice/],
  ['route key without method', mutate({ routes: { '/orders': {} } }), /routes\["\/orders"\]: key must be 'METHOD \/resource'/],
  ['route key in lower case', mutate({ routes: { 'get /orders': {} } }), /key must be 'METHOD \/resource'/],
  ['scopes not an array', mutate({ routes: { 'GET /orders': { scopes: 'orders:read' } } }), /routes\["GET \/orders"\]\.scopes: must be a non-empty array/],
  ['no routes', mutate({ routes: {} }), /AuthorizerConfig\.routes: must list at least one route/],
  ['timeout too long', mutate({ jwksTimeoutMs: 60_000 }), /AuthorizerConfig\.jwksTimeoutMs: must be an integer between 50 and 10000 \(received: 60000\)/],
  ['lifetime cap too long', mutate({ maxTokenLifetimeSeconds: 30 * 86_400 }), /maxTokenLifetimeSeconds: must be an integer between/],
  ['clock skew negative', mutate({ clockSkewSeconds: -1 }), /clockSkewSeconds: must be an integer between 0 and 300/],
  ['empty policies', mutate({ policies: '  ' }), /AuthorizerConfig\.policies: must be non-empty Cedar policy text/],
  ['bad table name', mutate({ tableName: 'a' }), /AuthorizerConfig\.tableName: must be a DynamoDB table name/],
  ['revocation on without a table', mutate({ tableName: undefined }), /tableName: is required while revocation is enabled \(the default\).*revocation: \{ enabled: false \}/],
  ['tenants on without a table', mutate({ tableName: undefined, revocation: { enabled: false } }), /tableName: is required while tenant records are enabled/],
  ['API keys without a table', mutate({ tableName: undefined, revocation: { enabled: false }, tenants: { enabled: false }, apiKeys: {} }), /tableName: is required when `apiKeys` is set/],
  ['API key header authorization', mutate({ apiKeys: { header: 'Authorization' } }), /apiKeys\.header: must not be `authorization`/],
  ['failOpen not a boolean', mutate({ revocation: { failOpen: 'yes' } }), /AuthorizerConfig\.revocation\.failOpen: must be true or false \(received: "yes"\)/],
  ['misspelt revocation option', mutate({ revocation: { failopen: true } }), /revocation\.failopen: is not a known option/],
])('%s is refused with a message naming the field and the fix', (_name, config, message) => {
  expect(() => validateAuthorizerConfig(config)).toThrow(AuthorizerConfigError);
  expect(() => validateAuthorizerConfig(config)).toThrow(message);
});

test('loopback issuers may use http (tests)', () => {
  for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:9000']) {
    expect(() => validateAuthorizerConfig(mutate({ issuers: [{ issuer: `http://${host}`, jwksUri: `http://${host}/jwks`, audience: ['a'] }] }))).not.toThrow();
  }
});

test('injected stores stand in for the table', () => {
  const config = mutate({ tableName: undefined, apiKeys: {} });
  expect(() => validateAuthorizerConfig(config)).toThrow(AuthorizerConfigError);
  expect(validateAuthorizerConfig(config, { injectedStores: ['apiKeys', 'revocations', 'tenants'] }).apiKeys).toEqual({ header: 'x-api-key', cacheSeconds: 60 });
});

test('an API-key-only authorizer needs no issuer', () => {
  expect(validateAuthorizerConfig(mutate({ issuers: [], apiKeys: { header: 'X-Client-Key' } })).apiKeys?.header).toBe('x-client-key');
});
