import { assertValidSpec, checkRequestSchema, PlatformSpec, PlatformSpecError, resolveSpec, validateSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
/** A deep copy of the example spec, changed by `edit`. */
function specWith(edit: (s: Mutable<PlatformSpec>) => void): PlatformSpec {
  const s = JSON.parse(JSON.stringify(fixtureSpec())) as Mutable<PlatformSpec>;
  edit(s);
  return s as PlatformSpec;
}
const api = (s: Mutable<PlatformSpec>) => s.apis[0];

describe('validateSpec', () => {
  test('the example spec is valid for both clouds and in lean mode', () => {
    expect(validateSpec(fixtureSpec('aws'))).toEqual([]);
    expect(validateSpec(fixtureSpec('azure'))).toEqual([]);
    expect(validateSpec(fixtureSpec('aws', { lean: true }))).toEqual([]);
  });

  // Each case: a change, the field it must name, and what the message must say (value received and fix).
  const cases: [string, (s: Mutable<PlatformSpec>) => void, string, RegExp][] = [
    ['bad name', (s) => { s.name = 'Orders_API'; }, 'name', /received: "Orders_API".*e\.g\. "orders"/],
    ['bad primary region', (s) => { s.regions.primary = 'EU-West-1'; }, 'regions.primary', /region name such as "eu-west-1".*received: "EU-West-1"/],
    ['region listed twice', (s) => { s.regions.secondaries = ['eu-west-1']; }, 'regions.secondaries[0]', /region listed twice \(received: "eu-west-1"\)/],
    ['malformed secondary', (s) => { s.regions.secondaries = ['EU WEST']; }, 'regions.secondaries[0]', /must be a region name.*received: "EU WEST"/],
    ['mixed clouds', (s) => { s.regions.secondaries = ['westeurope']; }, 'regions', /mixes AWS and Azure region names/],
    ['no profile', (s) => { s.compliance = []; }, 'compliance', /at least one profile.*choose from PCI_DSS/],
    ['unknown profile', (s) => { (s.compliance as string[]) = ['SOX']; }, 'compliance[0]', /unknown compliance profile \(received: "SOX"\)/],
    ['duplicate profile', (s) => { s.compliance = ['HIPAA', 'HIPAA']; }, 'compliance[1]', /listed twice \(received: "HIPAA"\)/],
    ['no issuer at all', (s) => { s.identity = {}; }, 'identity', /no token issuer.*add identity\.userPool/],
    ['bad tenant claim', (s) => { s.identity.tenantClaim = 'tenant id!'; }, 'identity.tenantClaim', /received: "tenant id!"/],
    ['mfa optional', (s) => { (s.identity.userPool as { mfa?: string }).mfa = 'optional'; }, 'identity.userPool.mfa', /only "required".*received: "optional"/],
    ['long-lived tokens', (s) => { s.identity.userPool!.accessTokenValidityMinutes = 1440; }, 'identity.userPool.accessTokenValidityMinutes', /5 to 60 \(received: 1440\)/],
    ['bad domain prefix', (s) => { s.identity.userPool!.domainPrefix = 'Orders Auth'; }, 'identity.userPool.domainPrefix', /received: "Orders Auth"/],
    ['http issuer', (s) => { s.identity.issuers![0].issuer = 'http://login.example.com'; }, 'identity.issuers[0].issuer', /must be an https URL \(received: "http:\/\/login\.example\.com"\)/],
    ['duplicate issuer', (s) => { s.identity.issuers!.push({ ...s.identity.issuers![0], name: 'again' }); }, 'identity.issuers[1].issuer', /issuer listed twice/],
    ['http jwks', (s) => { s.identity.issuers![0].jwksUri = 'http://login.example.com/keys'; }, 'identity.issuers[0].jwksUri', /https URL \(received: "http:/],
    ['empty audience', (s) => { s.identity.issuers![0].audience = []; }, 'identity.issuers[0].audience', /at least one non-empty audience \(received: \[\]\)/],
    ['blank audience', (s) => { s.identity.issuers![0].audience = [' ']; }, 'identity.issuers[0].audience', /non-empty audience/],
    ['alg none', (s) => { (s.identity.issuers![0].algorithms as string[]) = ['none']; }, 'identity.issuers[0].algorithms[0]', /unsafe algorithm \(received: "none"\).*never "none" or HMAC/],
    ['alg HS256', (s) => { (s.identity.issuers![0].algorithms as string[]) = ['HS256']; }, 'identity.issuers[0].algorithms[0]', /received: "HS256"/],
    ['empty algorithms', (s) => { s.identity.issuers![0].algorithms = []; }, 'identity.issuers[0].algorithms', /must not be empty/],
    ['bad issuer name', (s) => { s.identity.issuers![0].name = '1 bad'; }, 'identity.issuers[0].name', /received: "1 bad"/],
    ['no plans', (s) => { s.plans = {}; }, 'plans', /at least one tenant plan/],
    ['bad plan name', (s) => { s.plans.Gold = { rate: 1, burst: 1, dailyQuota: 10 }; }, 'plans.Gold', /received: "Gold"/],
    ['zero rate', (s) => { s.plans.standard.rate = 0; }, 'plans.standard.rate', /positive number.*received: 0/],
    ['fractional burst', (s) => { s.plans.standard.burst = 1.5; }, 'plans.standard.burst', /whole number \(received: 1.5\)/],
    ['burst below rate', (s) => { s.plans.standard.burst = 10; }, 'plans.standard.burst', /at least rate \(received: burst 10 < rate 50\)/],
    ['quota below rate', (s) => { s.plans.standard.dailyQuota = 20; }, 'plans.standard.dailyQuota', /below the rate \(received: dailyQuota 20 < rate 50\).*raise dailyQuota/],
    ['bad quota', (s) => { s.plans.standard.dailyQuota = -1; }, 'plans.standard.dailyQuota', /positive whole number \(received: -1\)/],
    ['no apis', (s) => { s.apis = []; }, 'apis', /at least one API/],
    ['bad api name', (s) => { api(s).name = 'Orders'; }, 'apis[0].name', /received: "Orders"/],
    ['bad version', (s) => { api(s).version = '1.0'; }, 'apis[0].version', /like "v1" \(received: "1.0"\)/],
    ['api twice', (s) => { s.apis.push(JSON.parse(JSON.stringify(s.apis[0]))); }, 'apis[1]', /defined twice/],
    ['bad scope name', (s) => { (api(s).scopes as Record<string, string>)['orders read'] = 'x'; }, 'apis[0].scopes', /"orders read"/],
    ['unknown api plan', (s) => { api(s).plan = 'gold'; }, 'apis[0].plan', /unknown plan \(received: "gold"\); use one of \["standard","premium"\]/],
    ['bad backend kind', (s) => { (api(s).backend as { kind: string }) = { kind: 'ftp' }; }, 'apis[0].backend.kind', /received: "ftp"/],
    ['http backend without https', (s) => { api(s).backend = { kind: 'http', url: 'http://backend.internal' }; }, 'apis[0].backend.url', /https URL for http backends \(received: "http:\/\/backend.internal"\)/],
    ['backend timeout too long', (s) => { api(s).backend = { kind: 'lambda', timeoutMs: 60_000 }; }, 'apis[0].backend.timeoutMs', /50 to 29000 ms \(received: 60000\)/],
    ['mtls without partner domain', (s) => { s.domain!.mtls = undefined; }, 'apis[0].mtls', /needs a partner domain/],
    ['bad sunset', (s) => { api(s).deprecation = { sunset: 'next year' }; }, 'apis[0].deprecation.sunset', /ISO date.*received: "next year"/],
    ['no routes', (s) => { api(s).routes = []; }, 'apis[0].routes', /at least one route/],
    ['bad method', (s) => { (api(s).routes[0] as { method: string }).method = 'FETCH'; }, 'apis[0].routes[0].method', /received: "FETCH"/],
    ['bad path', (s) => { api(s).routes[0].path = 'orders/{id}'; }, 'apis[0].routes[0].path', /start with "\/".*received: "orders\/\{id\}"/],
    ['duplicate route', (s) => { api(s).routes.push({ method: 'GET', path: '/orders/{orderId}', scopes: ['orders:read'] }); }, 'apis[0].routes[3]', /duplicate route GET \/orders\/\{orderId\}/],
    ['unknown scope', (s) => { api(s).routes[0].scopes = ['orders:delete']; }, 'apis[0].routes[0].scopes[0]', /unknown scope \(received: "orders:delete"\); declare it in apis\[0\]\.scopes/],
    ['unknown route plan', (s) => { api(s).routes[0].plan = 'gold'; }, 'apis[0].routes[0].plan', /unknown plan \(received: "gold"\)/],
    ['public route with scopes', (s) => { api(s).routes[2].scopes = ['orders:read']; }, 'apis[0].routes[2].scopes', /public route cannot require scopes/],
    ['public route without reason', (s) => { api(s).routes[2].publicReason = 'health'; }, 'apis[0].routes[2].publicReason', /reason an assessor would accept \(received: "health"\)/],
    ['public route with body', (s) => { Object.assign(api(s).routes[2], { method: 'POST', body: { type: 'object', additionalProperties: false } }); }, 'apis[0].routes[2].body', /public route cannot accept a body/],
    ['body on GET', (s) => { api(s).routes[0].body = { type: 'object', additionalProperties: false }; }, 'apis[0].routes[0].body', /GET requests carry no body/],
    ['body not an object', (s) => { (api(s).routes[1] as { body: unknown }).body = 'string'; }, 'apis[0].routes[1].body', /JSON Schema object \(received: "string"\)/],
    ['draft-07 schema', (s) => { Object.assign(api(s).routes[1].body!, { $schema: 'http://json-schema.org/draft-07/schema#' }); }, 'apis[0].routes[1].body.$schema', /draft-04 only \(received: "http:\/\/json-schema.org\/draft-07\/schema#"\)/],
    ['const keyword', (s) => { Object.assign((api(s).routes[1].body as { properties: Record<string, object> }).properties.sku, { const: 'A' }); }, 'apis[0].routes[1].body.properties.sku.const', /"const" is not draft-04.*"enum"/],
    ['numeric exclusiveMinimum', (s) => { Object.assign((api(s).routes[1].body as { properties: Record<string, object> }).properties.quantity, { exclusiveMinimum: 0 }); }, 'apis[0].routes[1].body.properties.quantity.exclusiveMinimum', /not a valid draft-04 schema: must be boolean \(received: 0\)/],
    ['remote $ref', (s) => { Object.assign((api(s).routes[1].body as { properties: Record<string, object> }).properties, { item: { $ref: 'https://schemas.example.com/item.json' } }); }, 'apis[0].routes[1].body.properties.item.$ref', /remote \$ref.*inline/],
    ['open object', (s) => { Object.assign((api(s).routes[1].body as { properties: Record<string, object> }).properties, { meta: { type: 'object' } }); }, 'apis[0].routes[1].body.properties.meta.additionalProperties', /reject unknown fields \(received: undefined\); set "additionalProperties": false/],
    ['bad query name', (s) => { api(s).routes[0].requiredQuery = ['a b']; }, 'apis[0].routes[0].requiredQuery[0]', /received: "a b"/],
    ['route timeout', (s) => { api(s).routes[0].timeoutMs = 10; }, 'apis[0].routes[0].timeoutMs', /50 to 29000 ms \(received: 10\)/],
    ['client bad name', (s) => { s.identity.userPool!.clients![0].name = '_x'; }, 'identity.userPool.clients[0].name', /received: "_x"/],
    ['client bad kind', (s) => { (s.identity.userPool!.clients![0] as { kind: string }).kind = 'robot'; }, 'identity.userPool.clients[0].kind', /received: "robot"/],
    ['client unknown scope', (s) => { s.identity.userPool!.clients![0].scopes = ['admin']; }, 'identity.userPool.clients[0].scopes[0]', /unknown scope \(received: "admin"\)/],
    ['public client without redirect', (s) => { s.identity.userPool!.clients![1].callbackUrls = []; }, 'identity.userPool.clients[1].callbackUrls', /at least one https redirect URI/],
    ['public client http redirect', (s) => { s.identity.userPool!.clients![1].callbackUrls = ['http://app.example.com/cb']; }, 'identity.userPool.clients[1].callbackUrls[0]', /http redirect leaks authorization codes/],
    ['bad domain name', (s) => { s.domain!.domainName = 'API.Example.com'; }, 'domain.domainName', /received: "API.Example.com"/],
    ['domain outside zone', (s) => { s.domain!.domainName = 'api.other.org'; }, 'domain.domainName', /not inside the hosted zone/],
    ['no hosted zone id', (s) => { s.domain!.hostedZone = { zoneName: 'example.com', hostedZoneId: '' }; }, 'domain.hostedZone', /zoneName and hostedZoneId/],
    ['bad tls policy', (s) => { (s.domain as { tlsPolicy: string }).tlsPolicy = 'TLS10'; }, 'domain.tlsPolicy', /received: "TLS10"/],
    ['mtls same domain', (s) => { s.domain!.mtls!.domainName = 'api.example.com'; }, 'domain.mtls.domainName', /must differ from domain.domainName/],
    ['mtls bad domain', (s) => { s.domain!.mtls!.domainName = 'not a domain'; }, 'domain.mtls.domainName', /received: "not a domain"/],
    ['bad truststore', (s) => { s.domain!.mtls!.truststoreUri = 'https://bucket/ca.pem'; }, 'domain.mtls.truststoreUri', /s3:\/\/ URI of a PEM bundle/],
    ['empty cors', (s) => { s.cors!.allowOrigins = []; }, 'cors.allowOrigins', /at least one origin/],
    ['wildcard cors', (s) => { s.cors!.allowOrigins = ['*']; }, 'cors.allowOrigins[0]', /wildcard origin.*received: "\*"/],
    ['cors with path', (s) => { s.cors!.allowOrigins = ['https://app.example.com/']; }, 'cors.allowOrigins[0]', /without path or trailing slash/],
    ['tiny ip rate limit', (s) => { s.edge!.rateLimitPerIp = 5; }, 'edge.rateLimitPerIp', /from 10 to 2000000000 \(received: 5\)/],
    ['api key rate limit', (s) => { s.edge!.rateLimitPerApiKey = 1.5; }, 'edge.rateLimitPerApiKey', /received: 1.5/],
    ['huge body cap', (s) => { s.edge!.maxBodyBytes = 1_000_000; }, 'edge.maxBodyBytes', /received: 1000000.*at most 64 KB/],
    ['bad country', (s) => { s.edge!.blockCountries = ['North Korea']; }, 'edge.blockCountries[0]', /alpha-2 code \(received: "North Korea"\)/],
    ['bad deny cidr', (s) => { s.edge!.denyCidrs = ['10.0.0.0/33']; }, 'edge.denyCidrs[0]', /CIDR \(received: "10.0.0.0\/33"\)/],
    ['bad allow cidr', (s) => { s.edge!.allowCidrs = ['2001:db8::/129']; }, 'edge.allowCidrs[0]', /received: "2001:db8::\/129"/],
    ['shield without contacts', (s) => { s.edge!.emergencyContacts = []; }, 'edge.emergencyContacts', /proactive engagement needs at least one contact/],
    ['bad contact email', (s) => { s.edge!.emergencyContacts![0].email = 'soc'; }, 'edge.emergencyContacts[0].email', /received: "soc"/],
    ['bad contact phone', (s) => { s.edge!.emergencyContacts![0].phone = '555-0100'; }, 'edge.emergencyContacts[0].phone', /E\.164.*received: "555-0100"/],
    ['bad api key header', (s) => { s.edge!.apiKeyHeader = 'x api key'; }, 'edge.apiKeyHeader', /received: "x api key"/],
    ['audit below HIPAA minimum', (s) => { s.audit = { retentionYears: 5 }; }, 'audit.retentionYears', /below the HIPAA minimum of 6 years \(received: 5\)/],
    ['audit retention not whole', (s) => { s.audit = { retentionYears: 0 }; }, 'audit.retentionYears', /1 to 100 \(received: 0\)/],
    ['log retention below PCI minimum', (s) => { s.audit = { logRetentionDays: 30 }; }, 'audit.logRetentionDays', /below the PCI_DSS minimum of 365 days \(received: 30\)/],
    ['log retention invalid', (s) => { s.audit = { logRetentionDays: -3 }; }, 'audit.logRetentionDays', /positive whole number of days \(received: -3\)/],
    ['bad sensitive field', (s) => { s.audit = { sensitiveFields: ['a b'] }; }, 'audit.sensitiveFields[0]', /received: "a b"/],
    ['latency objective', (s) => { s.observability!.latencyObjectiveMs = 1; }, 'observability.latencyObjectiveMs', /10 to 29000 ms \(received: 1\)/],
    ['alarm email', (s) => { s.observability!.alarmEmails = ['oncall']; }, 'observability.alarmEmails[0]', /received: "oncall"/],
    ['concurrency', (s) => { s.resilience!.authorizerConcurrency = 900; }, 'resilience.authorizerConcurrency', /1 to 200 \(received: 900\).*new account/],
    ['stage throttle', (s) => { s.resilience!.stageThrottle = { rate: 100, burst: 10 }; }, 'resilience.stageThrottle', /burst >= rate/],
  ];

  test.each(cases)('%s', (_name, edit, path, message) => {
    const issues = validateSpec(specWith(edit));
    const hit = issues.find((i) => i.path === path && message.test(i.message));
    if (!hit) throw new Error(`no issue at ${path} matching ${message}; got ${JSON.stringify(issues, null, 2)}`);
    expect(hit.message).toMatch(message);
  });

  test('reports every problem at once, each on its own line', () => {
    const spec = specWith((s) => {
      s.name = 'X';
      s.plans.standard.dailyQuota = 1;
      s.cors!.allowOrigins = ['*'];
    });
    expect(validateSpec(spec).map((i) => i.path)).toEqual(['name', 'plans.standard.dailyQuota', 'cors.allowOrigins[0]']);
    expect(() => assertValidSpec(spec)).toThrow(PlatformSpecError);
    expect(() => assertValidSpec(spec)).toThrow(/Invalid platform spec \(3 problems\):\n {2}- name: .*\n {2}- plans\.standard\.dailyQuota: .*\n {2}- cors\.allowOrigins\[0\]: /);
  });

  test('a demo archive may go below the retention minimum (listed as demo in the report)', () => {
    expect(validateSpec(specWith((s) => { s.audit = { retentionYears: 1, demo: true }; }))).toEqual([]);
  });

  test('checkRequestSchema accepts a closed draft-04 schema with nested objects and arrays', () => {
    expect(checkRequestSchema({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      additionalProperties: false,
      properties: { items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { n: { type: 'integer', minimum: 0, exclusiveMinimum: true } } } } },
    }, 'body')).toEqual([]);
  });

  test('checkRequestSchema walks items and combinators', () => {
    const issues = checkRequestSchema({
      type: 'array',
      items: { type: 'object', properties: {} },
      anyOf: [{ type: 'object', additionalProperties: false, if: {} }],
    }, 'body');
    expect(issues.map((i) => i.path)).toEqual(['body.items.additionalProperties', 'body.anyOf[0].if']);
  });
});

describe('resolveSpec', () => {
  const r = resolveSpec(fixtureSpec());

  test('applies the defaults once for every renderer', () => {
    expect(r.regions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(r.tenantClaim).toBe('tenant_id');
    expect(r.tlsPolicy).toBe('TLS13');
    expect(r.edge).toMatchObject({ cdn: true, rateLimitPerIp: 2000, rateLimitPerApiKey: 5000, maxBodyBytes: 16384, apiKeyHeader: 'x-api-key' });
    expect(r.userPool).toMatchObject({ selfSignUp: false, accessTokenValidityMinutes: 15, domainPrefix: 'orders-auth' });
    expect(r.issuers[0]).toEqual({
      name: 'corporate',
      issuer: 'https://login.example.com/oauth2/default',
      jwksUri: 'https://login.example.com/oauth2/default/.well-known/jwks.json',
      jwksUriFromSpec: false,
      audience: ['api://orders'],
      algorithms: ['RS256', 'ES256'],
      tenantClaim: 'tenant_id',
    });
  });

  test('an issuer\'s jwksUri written in the spec is told apart from the derived default', () => {
    const s = resolveSpec(specWith((x) => { x.identity.issuers![0].jwksUri = 'https://keys.example.com/jwks.json'; }));
    expect(s.issuers[0]).toMatchObject({ jwksUri: 'https://keys.example.com/jwks.json', jwksUriFromSpec: true });
  });

  test('routes carry their plan, key, timeout and public reason', () => {
    expect(r.routes.map((x) => [x.key, x.plan, x.timeoutMs, x.public])).toEqual([
      ['GET /orders/{id}', 'standard', 5000, false],
      ['POST /orders', 'premium', 5000, false],
      ['GET /health', 'standard', 5000, true],
    ]);
    expect(r.publicRoutes.map((x) => x.publicReason)).toEqual(['Route 53 health check: liveness probe, returns no data']);
  });

  test('profile minimums: HIPAA raises the audit minimum, PCI the log retention; compliance mode unless demo', () => {
    expect(r.minimums).toMatchObject({ auditRetentionYears: 6, logRetentionDays: 365, minTlsVersion: '1.2' });
    expect(r.audit).toMatchObject({ objectLockMode: 'COMPLIANCE', retentionYears: 7, retentionDays: 2556, logRetentionDays: 365 });
    const demo = resolveSpec(fixtureSpec('aws', { lean: true }));
    expect(demo.audit).toMatchObject({ objectLockMode: 'GOVERNANCE', retentionDays: 1, demo: true });
  });

  test('log retention is rounded up to a value CloudWatch accepts', () => {
    const s = resolveSpec(specWith((x) => { x.audit = { logRetentionDays: 500 }; }));
    expect(s.audit.logRetentionDays).toBe(545);
  });

  test('throws with every problem on an invalid spec', () => {
    expect(() => resolveSpec(specWith((s) => { s.identity.issuers![0].issuer = 'http://x.example.com'; }))).toThrow(/identity\.issuers\[0\]\.issuer: must be an https URL/);
  });
});
