/**
 * The platform spec: a typed, cloud-neutral description of what to build. The AWS renderer
 * (`constructs/aws`) and the Azure renderer (`constructs/azure`) both read it; `validateSpec` checks it.
 */
import type { SignatureAlgorithm } from './contracts/identity';

/** Compliance profiles: each selects rule packs and minimums (retention, TLS). */
export const ComplianceProfile = {
  /** PCI DSS (cdk-nag ships 3.2.1; the platform pack maps to 4.0). */
  PCI_DSS: 'PCI_DSS',
  /** HIPAA Security Rule (45 CFR 164.312). */
  HIPAA: 'HIPAA',
  /** NIST SP 800-53 Rev. 5. */
  NIST_800_53: 'NIST_800_53',
  /** AWS Solutions best practices (always sensible; the Azure side maps it to its own baseline). */
  AWS_SOLUTIONS: 'AWS_SOLUTIONS',
} as const;
export type ComplianceProfile = (typeof ComplianceProfile)[keyof typeof ComplianceProfile];
/** Every compliance profile, in the order the packs run and the reports list them (AWS Solutions, the baseline, first). */
export const COMPLIANCE_PROFILES: readonly ComplianceProfile[] = ['AWS_SOLUTIONS', 'HIPAA', 'PCI_DSS', 'NIST_800_53'];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * TLS policy of the public custom domain. All are TLS 1.3 enhanced policies; API Gateway refuses mTLS on them,
 * so the partner (mTLS) domain always uses TLS 1.2 with a truststore.
 */
export const TlsPolicy = {
  /** TLS 1.3 only (API Gateway `SecurityPolicy_TLS13_1_3_2025_09`). */
  TLS13: 'TLS13',
  /** TLS 1.3 with FIPS 140 validated ciphers. */
  TLS13_FIPS: 'TLS13_FIPS',
  /** TLS 1.3 with post-quantum hybrid key exchange. */
  TLS13_PQ: 'TLS13_PQ',
} as const;
export type TlsPolicy = (typeof TlsPolicy)[keyof typeof TlsPolicy];

/** A JSON Schema (draft-04: the only draft API Gateway request validation enforces). */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

export interface RegionsSpec {
  /** Home of the global data stack, the user pool and the audit archive. */
  readonly primary: string;
  /**
   * Further active regions (latency routing, failover).
   * @default - none: a single-region platform
   */
  readonly secondaries?: string[];
}

export interface PlanSpec {
  /** Steady-state requests per second per tenant. */
  readonly rate: number;
  /** Burst capacity (token bucket size), >= rate. */
  readonly burst: number;
  /** Requests per tenant per day; must be at least `rate`. */
  readonly dailyQuota: number;
}

export interface UserPoolSpec {
  /**
   * MFA. Only `required` is accepted for the platform's own pool; federated users bring their IdP's MFA.
   * @default 'required'
   */
  readonly mfa?: 'required';
  /**
   * Whether users may sign themselves up.
   * @default false
   */
  readonly selfSignUp?: boolean;
  /**
   * Access and ID token validity.
   * @default 15 minutes
   */
  readonly accessTokenValidityMinutes?: number;
  /**
   * App clients. `machine`: client credentials with a secret; `public`: authorization code + PKCE, no secret.
   * @default - none
   */
  readonly clients?: AppClientSpec[];
  /**
   * Hosted UI domain prefix (needed for the OAuth endpoints).
   * @default - `${spec.name}-auth`
   */
  readonly domainPrefix?: string;
}

export interface AppClientSpec {
  readonly name: string;
  readonly kind: 'machine' | 'public';
  /** Scopes the client may request, each declared by an API (`api.scopes`). */
  readonly scopes: string[];
  /**
   * Redirect URIs (https) for `public` clients.
   * @default - none (required for `public` clients)
   */
  readonly callbackUrls?: string[];
}

export interface OidcIssuerSpec {
  /** A short name used in construct ids and reports. */
  readonly name: string;
  /** The `iss` value, https. */
  readonly issuer: string;
  /**
   * JWKS endpoint, https.
   * @default - `${issuer}/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
  /** Accepted `aud` values; never empty. */
  readonly audience: string[];
  /**
   * Accepted signing algorithms (any of `SIGNATURE_ALGORITHMS`, the list the authorizer verifies).
   * @default ['RS256']
   */
  readonly algorithms?: SignatureAlgorithm[];
  /**
   * Claim that carries the tenant id.
   * @default - identity.tenantClaim
   */
  readonly tenantClaim?: string;
  /**
   * The tenants this issuer may assert: a token of this issuer naming any other tenant is refused (401). Binds each
   * issuer to its customers, so one trusted IdP cannot speak for another's tenants.
   * @default - any tenant (the tenant records still apply)
   */
  readonly tenants?: string[];
}

/**
 * How long a revoked token may still be accepted. The bound is the sum of the three (see `revocationBoundSeconds`),
 * printed at synth and in the evidence; the defaults give 60 s.
 */
export interface RevocationSpec {
  /**
   * API Gateway's authorizer result cache, 0 (off) to 300 s. APIs with `mtls` always use 0.
   * @default 20
   */
  readonly gatewayCacheSeconds?: number;
  /**
   * The authorizer's in-memory cache of "not revoked" answers, 0 to 300 s.
   * @default 25
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * Budget for the global table's cross-region replication (typically under a second; the budget covers its tail).
   * @default 15
   */
  readonly replicationLagSeconds?: number;
}

export interface IdentitySpec {
  /**
   * A managed user pool (Cognito on AWS). One pool in the primary region; every region trusts its issuer.
   * @default - no user pool: `issuers` must be given
   */
  readonly userPool?: UserPoolSpec;
  /**
   * External OIDC issuers (Entra ID, Okta, Auth0, ...).
   * @default - none
   */
  readonly issuers?: OidcIssuerSpec[];
  /**
   * Claim holding the tenant id in tokens (the tenant never comes from a client header).
   * @default 'tenant_id'
   */
  readonly tenantClaim?: string;
  /**
   * How quickly a revocation takes effect everywhere.
   * @default - 20 s gateway cache + 25 s authorizer cache + 15 s replication budget = 60 s
   */
  readonly revocation?: RevocationSpec;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Resource path, e.g. `/orders/{id}`. */
  readonly path: string;
  /**
   * Scopes the caller's token must all carry (each declared in `api.scopes`).
   * @default - none: any authenticated caller of the API
   */
  readonly scopes?: string[];
  /**
   * JSON Schema (draft-04) of the request body; validated at the gateway.
   * @default - no body allowed to be validated (GET/DELETE/HEAD/OPTIONS take none)
   */
  readonly body?: JsonSchema;
  /**
   * Query string parameters the route requires.
   * @default - none
   */
  readonly requiredQuery?: string[];
  /**
   * Rate-limit plan of this route's tenant usage (a key of `spec.plans`).
   * @default - the API's plan
   */
  readonly plan?: string;
  /**
   * A route served without authorization (health checks, CORS preflight). It appears in the compliance report.
   * @default false
   */
  readonly public?: boolean;
  /**
   * Why the route is public; required when `public` is true (it goes into the compliance report).
   * @default - none
   */
  readonly publicReason?: string;
  /**
   * Authorizer result cache of this route, 0 to 300 s (one gateway authorizer per distinct value; at most 10 per API).
   * Raises or lowers this route's revocation bound.
   * @default - identity.revocation.gatewayCacheSeconds (0 on APIs with `mtls`)
   */
  readonly authorizerCacheSeconds?: number;
  /**
   * Integration timeout for this route.
   * @default - the API's backend timeout
   */
  readonly timeoutMs?: number;
}

export interface BackendSpec {
  /**
   * `lambda`: a function the platform creates from `handlerAsset`/example code or the user passes to the construct;
   * `http`: an HTTPS endpoint (re-encrypted, authenticated with the gateway's client certificate);
   * `private`: an internal NLB through a VPC link.
   */
  readonly kind: 'lambda' | 'http' | 'private';
  /**
   * Backend base URL (https) for `http` and `private` backends.
   * @default - none (required for http/private)
   */
  readonly url?: string;
  /**
   * Integration timeout.
   * @default 10000 (API Gateway allows 50 to 29000 ms)
   */
  readonly timeoutMs?: number;
}

export interface ApiSpec {
  /** API name: lowercase letters, digits and hyphens. */
  readonly name: string;
  /** Version, served as a base path (`/v1`). */
  readonly version: string;
  /** Scopes this API defines (name to description), e.g. `{ 'orders:read': 'Read orders' }`. */
  readonly scopes: Record<string, string>;
  readonly routes: RouteSpec[];
  /**
   * Default plan for the API's routes (a key of `spec.plans`).
   * @default - the first plan
   */
  readonly plan?: string;
  /**
   * Backend of the routes.
   * @default { kind: 'lambda' }
   */
  readonly backend?: BackendSpec;
  /**
   * Reachable by the public through the CDN edge.
   * @default true
   */
  readonly public?: boolean;
  /**
   * Also served on the partner domain with mutual TLS (requires `domain.mtls`).
   * @default false
   */
  readonly mtls?: boolean;
  /**
   * A deprecated version answers with `Deprecation` and `Sunset` headers until `sunset` (an ISO date).
   * @default - not deprecated
   */
  readonly deprecation?: { readonly sunset: string };
}

export interface MtlsDomainSpec {
  /** Partner domain name (served with TLS 1.2 + mutual TLS; API Gateway refuses mTLS on TLS 1.3 policies). */
  readonly domainName: string;
  /** `s3://bucket/key.pem` truststore of the partners' CA certificates. */
  readonly truststoreUri: string;
  /**
   * S3 object version of the truststore.
   * @default - latest
   */
  readonly truststoreVersion?: string;
}

export interface DomainSpec {
  /** Public API domain name, e.g. `api.example.com`. */
  readonly domainName: string;
  /** The Route 53 / DNS zone that holds `domainName`. */
  readonly hostedZone: { readonly zoneName: string; readonly hostedZoneId: string };
  /**
   * TLS policy of the public domain.
   * @default TlsPolicy.TLS13
   */
  readonly tlsPolicy?: TlsPolicy;
  /**
   * Partner domain with mutual TLS.
   * @default - none
   */
  readonly mtls?: MtlsDomainSpec;
}

export interface CorsSpec {
  /** Allowed origins (https://host[:port]); never `*`. */
  readonly allowOrigins: string[];
  /**
   * Allow credentials (cookies, Authorization) in cross-origin requests.
   * @default false
   */
  readonly allowCredentials?: boolean;
}

export interface EdgeSpec {
  /**
   * Put a CDN (CloudFront / Front Door) with its own WAF in front of the public APIs.
   * @default true
   */
  readonly cdn?: boolean;
  /**
   * Shield Advanced (AWS) protections. A paid subscription (USD 3,000 a month per organization, 1-year commitment).
   * @default false
   */
  readonly shieldAdvanced?: boolean;
  /**
   * Proactive engagement contacts for Shield Advanced (required when it is on).
   * @default - none
   */
  readonly emergencyContacts?: { readonly email: string; readonly phone?: string; readonly note?: string }[];
  /**
   * Requests per 5 minutes per client IP before the WAF blocks.
   * @default 2000
   */
  readonly rateLimitPerIp?: number;
  /**
   * Requests per 5 minutes per API key header before the WAF blocks.
   * @default 5000
   */
  readonly rateLimitPerApiKey?: number;
  /**
   * Largest request body accepted, in bytes (WAF inspects at most 64 KB on CloudFront and API Gateway).
   * @default 16384
   */
  readonly maxBodyBytes?: number;
  /**
   * ISO 3166 country codes to block (at the CDN's WAF, which sees the real client).
   * @default - none
   */
  readonly blockCountries?: string[];
  /**
   * CIDRs always blocked.
   * @default - none
   */
  readonly denyCidrs?: string[];
  /**
   * CIDRs exempt from rate limits (e.g. partners' egress).
   * @default - none
   */
  readonly allowCidrs?: string[];
  /**
   * Managed bot control rule group (extra cost).
   * @default false
   */
  readonly botControl?: boolean;
  /**
   * Account takeover prevention on the sign-in path (extra cost).
   * @default false
   */
  readonly accountTakeoverPrevention?: boolean;
  /**
   * Header that carries machine clients' API keys on Azure (API Management). On AWS, keys travel as
   * `Authorization: ApiKey <key>` (one header for every credential, the authorizer cache's key): there this header is
   * only redacted from logs and allowed in CORS.
   * @default 'x-api-key'
   */
  readonly apiKeyHeader?: string;
}

export interface AuditSpec {
  /**
   * WORM retention of the audit archive, in years; never below the profiles' minimum.
   * @default 7
   */
  readonly retentionYears?: number;
  /**
   * Demo mode: governance-mode Object Lock and 1-day retention, so the example can be torn down.
   * Never for production: it is listed in the compliance report.
   * @default false
   */
  readonly demo?: boolean;
  /**
   * Log fields redacted before they reach the archive (e.g. `caller`, `ip`).
   * @default ['ip', 'userAgent']
   */
  readonly sensitiveFields?: string[];
  /**
   * Retention of operational log groups, in days; never below the profiles' minimum.
   * @default - the profiles' minimum (at least 365)
   */
  readonly logRetentionDays?: number;
}

export interface KeysSpec {
  /**
   * An HSM-backed key. On AWS: a CloudHSM cluster of two HSMs in the primary region (about USD 2,200-3,500 a month)
   * and, after manual initialization, a KMS key in a custom key store there, which encrypts the platform table's
   * primary replica (API-key hashes, revocations, tenants); the secondary replicas and everything else keep the
   * multi-region keys, which a custom key store cannot hold. Before the key exists the cluster protects nothing.
   * On Azure: Managed HSM keys.
   * @default false
   */
  readonly hsmBacked?: boolean;
}

export interface ObservabilitySpec {
  /**
   * p99 latency objective, in ms; an alarm fires above it.
   * @default 1000
   */
  readonly latencyObjectiveMs?: number;
  /**
   * Emails subscribed to the alarm topic.
   * @default - none (subscribe later)
   */
  readonly alarmEmails?: string[];
  /**
   * Who owns the account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`, one per account and region),
   * without which a stage with execution logging fails to deploy. `platform`: each regional platform stack creates it.
   * `managedElsewhere`: the account already has it in every region of the spec (a landing zone, another platform).
   * @default 'platform'
   */
  readonly apiGatewayLogsRole?: 'platform' | 'managedElsewhere';
}

export interface ResilienceSpec {
  /**
   * Reserved concurrency of the authorizer in each region (a bulkhead). Kept small so a new account's
   * default limit (often 10 unreserved minimum) does not refuse the deployment.
   * @default 20
   */
  readonly authorizerConcurrency?: number;
  /**
   * Reserved concurrency of each Lambda backend.
   * @default 20
   */
  readonly backendConcurrency?: number;
  /**
   * Stage-wide steady-state rate limit (requests per second) and burst.
   * @default { rate: 1000, burst: 2000 }
   */
  readonly stageThrottle?: { readonly rate: number; readonly burst: number };
}

/** What to build. The same spec renders on AWS and Azure. */
export interface PlatformSpec {
  /** Platform name: 3 to 24 lowercase letters, digits and hyphens; prefixes resource names. */
  readonly name: string;
  readonly regions: RegionsSpec;
  /** Compliance profiles enforced at synth. */
  readonly compliance: ComplianceProfile[];
  readonly identity: IdentitySpec;
  /** Tenant plans by name. */
  readonly plans: Record<string, PlanSpec>;
  readonly apis: ApiSpec[];
  /**
   * Custom domains.
   * @default - none: the regional endpoints only (not for production)
   */
  readonly domain?: DomainSpec;
  /**
   * CORS allowlist.
   * @default - no CORS: browsers cannot call the API cross-origin
   */
  readonly cors?: CorsSpec;
  /**
   * Edge protection options.
   * @default - CDN on, Shield Advanced off, rate limits 2000/IP and 5000/key per 5 minutes
   */
  readonly edge?: EdgeSpec;
  /** @default - 7-year compliance-mode archive */
  readonly audit?: AuditSpec;
  /** @default - KMS keys, no HSM */
  readonly keys?: KeysSpec;
  /** @default - 1 s p99 objective */
  readonly observability?: ObservabilitySpec;
  /** @default - see ResilienceSpec */
  readonly resilience?: ResilienceSpec;
}
