import type { PlatformSpec } from '../lib/spec';

/** Request body of POST /orders: closed objects, draft-04 (what API Gateway enforces). */
export const orderSchema = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'CreateOrder',
  type: 'object',
  additionalProperties: false,
  required: ['sku', 'quantity'],
  properties: {
    sku: { type: 'string', pattern: '^[A-Z0-9-]{3,32}$' },
    quantity: { type: 'integer', minimum: 1, maximum: 1000 },
    note: { type: 'string', maxLength: 280 },
  },
} as const;

/**
 * The example platform: an orders API in two regions, two tenant plans, PCI DSS + HIPAA (+ NIST, AWS Solutions).
 * Both examples (AWS and Azure) render this one spec, with the regions of each cloud.
 */
export function exampleSpec(cloud: 'aws' | 'azure' = 'aws', options: { lean?: boolean } = {}): PlatformSpec {
  const lean = options.lean ?? false;
  return {
    name: 'orders',
    regions: cloud === 'aws' ? { primary: 'eu-west-1', secondaries: ['eu-central-1'] } : { primary: 'westeurope', secondaries: ['northeurope'] },
    compliance: ['PCI_DSS', 'HIPAA', 'NIST_800_53', 'AWS_SOLUTIONS'],
    identity: {
      userPool: {
        mfa: 'required',
        clients: [
          { name: 'partner-batch', kind: 'machine', scopes: ['orders:read', 'orders:write'] },
          { name: 'web', kind: 'public', scopes: ['orders:read'], callbackUrls: ['https://app.example.com/callback'] },
        ],
      },
      issuers: [
        { name: 'corporate', issuer: 'https://login.example.com/oauth2/default', audience: ['api://orders'], algorithms: ['RS256', 'ES256'] },
      ],
    },
    plans: {
      standard: { rate: 50, burst: 100, dailyQuota: 100_000 },
      premium: { rate: 200, burst: 400, dailyQuota: 1_000_000 },
    },
    apis: [
      {
        name: 'orders',
        version: 'v1',
        scopes: { 'orders:read': 'Read orders', 'orders:write': 'Create orders' },
        plan: 'standard',
        backend: { kind: 'lambda', timeoutMs: 5000 },
        mtls: !lean,
        routes: [
          { method: 'GET', path: '/orders/{id}', scopes: ['orders:read'] },
          { method: 'POST', path: '/orders', scopes: ['orders:write'], body: orderSchema, plan: 'premium' },
          { method: 'GET', path: '/health', public: true, publicReason: 'Route 53 health check: liveness probe, returns no data' },
        ],
      },
    ],
    domain: {
      domainName: 'api.example.com',
      hostedZone: { zoneName: 'example.com', hostedZoneId: 'Z0123456789EXAMPLE' },
      tlsPolicy: 'TLS13',
      mtls: lean ? undefined : { domainName: 'partners.example.com', truststoreUri: 's3://orders-truststore-example/partners.pem' },
    },
    cors: { allowOrigins: ['https://app.example.com'] },
    edge: {
      cdn: true,
      shieldAdvanced: !lean,
      emergencyContacts: [{ email: 'soc@example.com', phone: '+15555550100', note: 'Security operations, 24x7' }],
      blockCountries: ['KP'],
      denyCidrs: ['198.51.100.0/24'],
    },
    audit: { retentionYears: 7, demo: lean, sensitiveFields: ['ip', 'userAgent'] },
    keys: { hsmBacked: !lean },
    observability: { latencyObjectiveMs: 800, alarmEmails: ['oncall@example.com'] },
    resilience: { authorizerConcurrency: 20, backendConcurrency: 20 },
  };
}
