import { ApiSpec, ComplianceProfile, HttpMethod, JsonSchema, MtlsDomainSpec, PlanSpec, PlatformSpec, TlsPolicy } from './types';
import {
  DEFAULT_SIGNATURE_ALGORITHMS, DEFAULT_TENANT_CLAIM, REVOCATION_DEFAULTS, revocationBoundSeconds, RevocationTimes, SignatureAlgorithm,
} from './contracts/identity';
import { profileMinimums, roundUpLogRetention, ProfileMinimums } from './profiles';
import { assertValidSpec } from './validate';

/** S3 Object Lock modes. COMPLIANCE is the WORM mode: nobody, root included, can shorten or remove the retention. */
export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';
/** The Object Lock mode of a production audit archive (a demo archive uses GOVERNANCE, which can be cleaned up). */
export const WORM_OBJECT_LOCK_MODE: ObjectLockMode = 'COMPLIANCE';

/** A route with every default applied. */
export interface ResolvedRoute {
  readonly api: string;
  readonly version: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** `METHOD /path` (the API Gateway resource path): the authorizer's route-table key within one API version. */
  readonly key: string;
  readonly scopes: string[];
  readonly body?: JsonSchema;
  readonly requiredQuery: string[];
  readonly plan: string;
  readonly public: boolean;
  readonly publicReason?: string;
  readonly timeoutMs: number;
  /** API Gateway's authorizer result cache of this route (0 on APIs with `mtls`). */
  readonly authorizerCacheSeconds: number;
}

export interface ResolvedIssuer {
  readonly name: string;
  readonly issuer: string;
  readonly jwksUri: string;
  /** The spec names `jwksUri` itself (false: derived from the issuer, `<issuer>/.well-known/jwks.json`). */
  readonly jwksUriFromSpec: boolean;
  readonly audience: string[];
  readonly algorithms: SignatureAlgorithm[];
  readonly tenantClaim: string;
  /** The tenants the issuer may assert; undefined: any. */
  readonly tenants?: string[];
}

/** The revocation delays, and their sum over the slowest route. */
export interface ResolvedRevocation extends RevocationTimes {
  /** The longest gateway cache of any authorized route (routes may override it). */
  readonly maxGatewayCacheSeconds: number;
  /** End-to-end bound: the slowest route's gateway cache + authorizer cache + replication budget. */
  readonly boundSeconds: number;
}

/**
 * The spec with every default applied, computed once and read by both renderers, so AWS and Azure cannot
 * disagree on a default. Build it with `resolveSpec` (which validates first).
 */
declare const resolvedBrand: unique symbol;

/** The public custom domain with its defaults applied (`spec.domain`). */
export interface ResolvedDomain {
  readonly domainName: string;
  readonly hostedZone: { readonly zoneName: string; readonly hostedZoneId: string };
  readonly tlsPolicy: TlsPolicy;
  /** The partner domain served with mutual TLS; undefined: none. */
  readonly mtls?: MtlsDomainSpec;
}

export interface ResolvedSpec {
  /** Only `resolveSpec` makes one: a renderer that takes a ResolvedSpec gets a validated spec with every default applied. */
  readonly [resolvedBrand]: true;
  /** The spec as written (for the evidence and the few props that have no default). Renderers read the derived facts below. */
  readonly spec: PlatformSpec;
  /** The public custom domain; undefined: the APIs are served on their execute-api endpoints only. */
  readonly domain?: ResolvedDomain;
  /**
   * Whether the platform builds its edge (CloudFront, the us-east-1 web ACL and certificate, the us-east-1 archive):
   * a CDN is asked for and there is a domain to serve it on.
   */
  readonly needsEdge: boolean;
  /** Regions whose audit archive receives logs: the platform's regions, and us-east-1 when the edge logs there. */
  readonly archiveRegions: string[];
  /** Who manages the account's API Gateway CloudWatch Logs role (`spec.observability.apiGatewayLogsRole`). */
  readonly apiGatewayLogsRole: 'platform' | 'managedElsewhere';
  readonly name: string;
  /** Primary first. */
  readonly regions: string[];
  readonly primaryRegion: string;
  readonly secondaryRegions: string[];
  readonly profiles: ComplianceProfile[];
  readonly minimums: ProfileMinimums;
  readonly plans: Record<string, PlanSpec>;
  readonly apis: ApiSpec[];
  readonly routes: ResolvedRoute[];
  /** The public (unauthorized) routes, with their reasons: the compliance report lists them. */
  readonly publicRoutes: ResolvedRoute[];
  readonly issuers: ResolvedIssuer[];
  readonly tenantClaim: string;
  readonly revocation: ResolvedRevocation;
  readonly userPool?: {
    readonly selfSignUp: boolean;
    readonly accessTokenValidityMinutes: number;
    readonly domainPrefix: string;
    readonly clients: NonNullable<NonNullable<PlatformSpec['identity']['userPool']>['clients']>;
  };
  readonly tlsPolicy: TlsPolicy;
  readonly edge: {
    readonly cdn: boolean;
    readonly shieldAdvanced: boolean;
    readonly emergencyContacts: { readonly email: string; readonly phone?: string; readonly note?: string }[];
    readonly rateLimitPerIp: number;
    readonly rateLimitPerApiKey: number;
    readonly maxBodyBytes: number;
    readonly blockCountries: string[];
    readonly denyCidrs: string[];
    readonly allowCidrs: string[];
    readonly botControl: boolean;
    readonly accountTakeoverPrevention: boolean;
    readonly apiKeyHeader: string;
  };
  readonly audit: {
    readonly retentionYears: number;
    readonly demo: boolean;
    readonly objectLockMode: ObjectLockMode;
    /** Object Lock default retention in days (1 in demo mode). */
    readonly retentionDays: number;
    readonly sensitiveFields: string[];
    readonly logRetentionDays: number;
  };
  readonly hsmBacked: boolean;
  readonly latencyObjectiveMs: number;
  readonly alarmEmails: string[];
  readonly authorizerConcurrency: number;
  readonly backendConcurrency: number;
  readonly stageThrottle: { readonly rate: number; readonly burst: number };
  readonly corsOrigins: string[];
  readonly corsAllowCredentials: boolean;
}

export { DEFAULT_TENANT_CLAIM };
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 10_000;

/** Validates the spec (throwing `PlatformSpecError` with every problem) and applies every default. */
export function resolveSpec(spec: PlatformSpec): ResolvedSpec {
  assertValidSpec(spec);
  const profiles = [...spec.compliance];
  const minimums = profileMinimums(profiles);
  const tenantClaim = spec.identity.tenantClaim ?? DEFAULT_TENANT_CLAIM;
  const firstPlan = Object.keys(spec.plans)[0];
  const rev = spec.identity.revocation ?? {};
  const gatewayCacheSeconds = rev.gatewayCacheSeconds ?? REVOCATION_DEFAULTS.gatewayCacheSeconds;
  const routes: ResolvedRoute[] = spec.apis.flatMap((api) =>
    api.routes.map((r) => ({
      api: api.name,
      version: api.version,
      method: r.method,
      path: r.path,
      key: `${r.method} ${r.path}`,
      scopes: [...(r.scopes ?? [])],
      body: r.body,
      requiredQuery: [...(r.requiredQuery ?? [])],
      plan: r.plan ?? api.plan ?? firstPlan,
      public: r.public ?? false,
      publicReason: r.publicReason,
      timeoutMs: r.timeoutMs ?? api.backend?.timeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
      // API Gateway cannot key its cache on the client certificate: no cache on mTLS APIs.
      authorizerCacheSeconds: api.mtls ? 0 : r.authorizerCacheSeconds ?? gatewayCacheSeconds,
    })),
  );
  const times: RevocationTimes = {
    gatewayCacheSeconds,
    authorizerCacheSeconds: rev.authorizerCacheSeconds ?? REVOCATION_DEFAULTS.authorizerCacheSeconds,
    replicationLagSeconds: rev.replicationLagSeconds ?? REVOCATION_DEFAULTS.replicationLagSeconds,
  };
  const maxGatewayCacheSeconds = Math.max(0, ...routes.filter((r) => !r.public).map((r) => r.authorizerCacheSeconds));
  const edge = spec.edge ?? {};
  const audit = spec.audit ?? {};
  const demo = audit.demo ?? false;
  const retentionYears = audit.retentionYears ?? 7;
  const up = spec.identity.userPool;
  const domain: ResolvedDomain | undefined = spec.domain
    ? {
      domainName: spec.domain.domainName,
      hostedZone: spec.domain.hostedZone,
      tlsPolicy: spec.domain.tlsPolicy ?? TlsPolicy.TLS13,
      mtls: spec.domain.mtls,
    }
    : undefined;
  const needsEdge = (edge.cdn ?? true) && domain !== undefined;
  const regions = [spec.regions.primary, ...(spec.regions.secondaries ?? [])];
  const resolved: Omit<ResolvedSpec, typeof resolvedBrand> = {
    spec,
    domain,
    needsEdge,
    archiveRegions: [...new Set([...regions, ...(needsEdge ? ['us-east-1'] : [])])],
    apiGatewayLogsRole: spec.observability?.apiGatewayLogsRole ?? 'platform',
    name: spec.name,
    regions,
    primaryRegion: spec.regions.primary,
    secondaryRegions: [...(spec.regions.secondaries ?? [])],
    profiles,
    minimums,
    plans: spec.plans,
    apis: spec.apis,
    routes,
    publicRoutes: routes.filter((r) => r.public),
    issuers: (spec.identity.issuers ?? []).map((i) => ({
      name: i.name,
      issuer: i.issuer,
      jwksUri: i.jwksUri ?? `${i.issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
      jwksUriFromSpec: i.jwksUri !== undefined,
      audience: [...i.audience],
      algorithms: [...(i.algorithms ?? DEFAULT_SIGNATURE_ALGORITHMS)],
      tenantClaim: i.tenantClaim ?? tenantClaim,
      tenants: i.tenants ? [...i.tenants] : undefined,
    })),
    tenantClaim,
    revocation: { ...times, maxGatewayCacheSeconds, boundSeconds: revocationBoundSeconds({ ...times, gatewayCacheSeconds: maxGatewayCacheSeconds }) },
    userPool: up
      ? {
        selfSignUp: up.selfSignUp ?? false,
        accessTokenValidityMinutes: up.accessTokenValidityMinutes ?? 15,
        domainPrefix: up.domainPrefix ?? `${spec.name}-auth`,
        clients: up.clients ?? [],
      }
      : undefined,
    tlsPolicy: domain?.tlsPolicy ?? TlsPolicy.TLS13,
    edge: {
      cdn: edge.cdn ?? true,
      shieldAdvanced: edge.shieldAdvanced ?? false,
      emergencyContacts: edge.emergencyContacts ?? [],
      rateLimitPerIp: edge.rateLimitPerIp ?? 2000,
      rateLimitPerApiKey: edge.rateLimitPerApiKey ?? 5000,
      maxBodyBytes: edge.maxBodyBytes ?? 16_384,
      blockCountries: edge.blockCountries ?? [],
      denyCidrs: edge.denyCidrs ?? [],
      allowCidrs: edge.allowCidrs ?? [],
      botControl: edge.botControl ?? false,
      accountTakeoverPrevention: edge.accountTakeoverPrevention ?? false,
      apiKeyHeader: (edge.apiKeyHeader ?? 'x-api-key').toLowerCase(),
    },
    audit: {
      retentionYears,
      demo,
      objectLockMode: demo ? 'GOVERNANCE' : WORM_OBJECT_LOCK_MODE,
      retentionDays: demo ? 1 : retentionYears * 365 + Math.floor(retentionYears / 4),
      sensitiveFields: audit.sensitiveFields ?? ['ip', 'userAgent'],
      logRetentionDays: roundUpLogRetention(Math.max(audit.logRetentionDays ?? 0, minimums.logRetentionDays)),
    },
    hsmBacked: spec.keys?.hsmBacked ?? false,
    latencyObjectiveMs: spec.observability?.latencyObjectiveMs ?? 1000,
    alarmEmails: spec.observability?.alarmEmails ?? [],
    authorizerConcurrency: spec.resilience?.authorizerConcurrency ?? 20,
    backendConcurrency: spec.resilience?.backendConcurrency ?? 20,
    stageThrottle: spec.resilience?.stageThrottle ?? { rate: 1000, burst: 2000 },
    corsOrigins: spec.cors?.allowOrigins ?? [],
    corsAllowCredentials: spec.cors?.allowCredentials ?? false,
  };
  return resolved as ResolvedSpec;
}
