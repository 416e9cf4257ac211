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
 * What the example needs from the user's own world: their domain and hosted zone, their identity provider, the
 * partners' truststore, who to page. Set by context (`-c domain=api.acme.io`, …) or a JSON file (`-c site=site.json`);
 * the keys are the context keys.
 */
export interface ExampleSite {
  /** The public API domain (TLS 1.3), served by CloudFront and the regional TLS 1.3 domains. */
  readonly domain: string;
  /** The Route 53 public hosted zone the domain (and partner domain) live in. */
  readonly zoneName: string;
  readonly hostedZoneId: string;
  /** The partner (mTLS) domain; only the showcase (`-c lean=false`) creates it. */
  readonly partnerDomain: string;
  /** The S3 URI of the partners' CA bundle (PEM), uploaded before the first deploy; showcase only. */
  readonly truststore: string;
  /** The Cognito hosted sign-in domain prefix: unique per region across every AWS account (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly authDomainPrefix: string;
  /** The external OIDC issuer the authorizer trusts besides the user pool (HTTPS, its JWKS must be reachable). */
  readonly issuer: string;
  /** The audience the issuer's tokens carry for this API. */
  readonly issuerAudience: string;
  /** The browser app's origin: CORS allowlist and the web client's callback. */
  readonly webOrigin: string;
  /** Shield Response Team emergency contact (showcase only) and the alarms' e-mail. */
  readonly contactEmail: string;
  readonly contactPhone: string;
  readonly alarmEmail: string;
}

/** Context keys of the example site, in the order the README lists them. */
export const EXAMPLE_SITE_KEYS: readonly (keyof ExampleSite)[] = [
  'domain', 'zoneName', 'hostedZoneId', 'partnerDomain', 'truststore', 'authDomainPrefix', 'issuer', 'issuerAudience', 'webOrigin', 'contactEmail', 'contactPhone', 'alarmEmail',
];

/** Placeholders: the example synthesizes with them (tests, `-c allowPlaceholders=true`) but must not deploy them. */
export const EXAMPLE_SITE: ExampleSite = {
  domain: 'api.example.com',
  zoneName: 'example.com',
  hostedZoneId: 'Z0123456789EXAMPLE',
  partnerDomain: 'partners.example.com',
  truststore: 's3://orders-truststore-example/partners.pem',
  authDomainPrefix: 'orders-auth',
  issuer: 'https://login.example.com/oauth2/default',
  issuerAudience: 'api://orders',
  webOrigin: 'https://app.example.com',
  contactEmail: 'soc@example.com',
  contactPhone: '+15555550100',
  alarmEmail: 'oncall@example.com',
};

/** RFC 2606 / 6761 names (example.com, *.test, …), the placeholder zone id and bucket, the fictional 555-01xx phones. */
const PLACEHOLDER = /example|\.(test|invalid|localhost)(?![a-z0-9])|^\+1555555/i;

/** The site keys whose values are placeholders (an empty list: nothing to refuse). */
export function placeholderKeys(site: ExampleSite, options: { lean: boolean }): (keyof ExampleSite)[] {
  // The lean example has no partner domain and no Shield contacts: their placeholders are never deployed.
  const unused = new Set<keyof ExampleSite>(options.lean ? ['partnerDomain', 'truststore', 'contactEmail', 'contactPhone'] : []);
  // The example's own Cognito prefix is taken by the first account that deploys it: everyone else must choose theirs.
  return EXAMPLE_SITE_KEYS.filter((k) => !unused.has(k) && (PLACEHOLDER.test(site[k]) || (k === 'authDomainPrefix' && site[k] === EXAMPLE_SITE.authDomainPrefix)));
}

/**
 * The example platform: an orders API in two regions, two tenant plans, PCI DSS + HIPAA (+ NIST, AWS Solutions).
 * Both examples (AWS and Azure) render this one spec, with the regions of each cloud.
 */
export function exampleSpec(cloud: 'aws' | 'azure' = 'aws', options: { lean?: boolean; site?: ExampleSite } = {}): PlatformSpec {
  const lean = options.lean ?? false;
  const site = options.site ?? EXAMPLE_SITE;
  return {
    name: 'orders',
    regions: cloud === 'aws' ? { primary: 'eu-west-1', secondaries: ['eu-central-1'] } : { primary: 'westeurope', secondaries: ['northeurope'] },
    compliance: ['PCI_DSS', 'HIPAA', 'NIST_800_53', 'AWS_SOLUTIONS'],
    identity: {
      userPool: {
        mfa: 'required',
        domainPrefix: site.authDomainPrefix,
        clients: [
          { name: 'partner-batch', kind: 'machine', scopes: ['orders:read', 'orders:write'] },
          { name: 'web', kind: 'public', scopes: ['orders:read'], callbackUrls: [`${site.webOrigin}/callback`] },
        ],
      },
      issuers: [
        { name: 'corporate', issuer: site.issuer, audience: [site.issuerAudience], algorithms: ['RS256', 'ES256'] },
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
      domainName: site.domain,
      hostedZone: { zoneName: site.zoneName, hostedZoneId: site.hostedZoneId },
      tlsPolicy: 'TLS13',
      mtls: lean ? undefined : { domainName: site.partnerDomain, truststoreUri: site.truststore },
    },
    cors: { allowOrigins: [site.webOrigin] },
    edge: {
      cdn: true,
      shieldAdvanced: !lean,
      // Shield Response Team contacts: the showcase only (Shield Advanced).
      emergencyContacts: lean ? undefined : [{ email: site.contactEmail, phone: site.contactPhone, note: 'Security operations, 24x7' }],
      blockCountries: ['KP'],
      denyCidrs: ['198.51.100.0/24'],
    },
    audit: { retentionYears: 7, demo: lean, sensitiveFields: ['ip', 'userAgent'] },
    keys: { hsmBacked: !lean },
    observability: { latencyObjectiveMs: 800, alarmEmails: [site.alarmEmail] },
    resilience: { authorizerConcurrency: 20, backendConcurrency: 20 },
  };
}
