/**
 * Resource names two parts agree on without passing tokens: the platform's Lambda functions are named from the spec,
 * so the trail (deployed first, in the primary region) can select their data events by exact ARN in every region.
 */

/** What the function names depend on (a resolved spec has every member). */
export interface NamedPlatform {
  readonly name: string;
  readonly primaryRegion: string;
  readonly regions: readonly string[];
  readonly apis: ReadonlyArray<{ readonly name: string; readonly version: string; readonly backend?: { readonly kind?: string } }>;
  readonly edge: { readonly cdn: boolean };
  readonly spec: { readonly domain?: unknown };
}

/** The header CloudFront adds to every origin request and the regional WAF requires (its value rotates). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/**
 * The WAFv2 scope of each region's web ACL: the construct creates it there, the origin-verify rotation lists and updates
 * the web ACLs of that scope, and the platform rule recognizes a stage's web ACL by it.
 */
export const REGIONAL_WEB_ACL_SCOPE = 'REGIONAL';

/** Lambda allows 64 characters in a function name. */
export const FUNCTION_NAME_LIMIT = 64;

export const FunctionNames = {
  /** The authorizer of one API version (every region). */
  authorizer: (platform: string, api: string, version: string): string => `${platform}-${api}-${version}-authorizer`,
  /** The Lambda backend of one API version built by `SecureApiPlatform.lambdaBackend` (every region). */
  backend: (platform: string, api: string, version: string): string => `${platform}-${api}-${version}-backend`,
  /** The archive stream's redaction processor (every region). */
  redaction: (platform: string): string => `${platform}-audit-redaction`,
  /** The edge archive stream's redaction processor (us-east-1). */
  edgeRedaction: (platform: string): string => `${platform}-edge-audit-redaction`,
} as const;

/**
 * The computed function names of the platform, by region: authorizers, `lambdaBackend` backends and redaction
 * processors in every platform region, the edge's redaction processor in us-east-1 when the CDN is on.
 */
export function platformFunctionNames(p: NamedPlatform): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const region of p.regions) {
    out[region] = [
      ...p.apis.map((a) => FunctionNames.authorizer(p.name, a.name, a.version)),
      ...p.apis.filter((a) => (a.backend?.kind ?? 'lambda') === 'lambda').map((a) => FunctionNames.backend(p.name, a.name, a.version)),
      FunctionNames.redaction(p.name),
    ];
  }
  if (p.edge.cdn && p.spec.domain !== undefined) (out['us-east-1'] ??= []).push(FunctionNames.edgeRedaction(p.name));
  return out;
}

/**
 * SSM parameter, in us-east-1, holding the id of one region's Route 53 health check: Route 53 publishes health-check
 * metrics in us-east-1 only, so the alarms on them live there and read the ids by name.
 */
export function healthCheckParameter(platform: string, region: string): string {
  return `/${platform}/health-checks/${region}`;
}

/** Region where Route 53 publishes health-check metrics (`AWS/Route53`). */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/** IAM role names the platform creates and its resource policies name (role names are unique in an account). */
export const RoleNames = {
  /**
   * The operators' role: with DynamoDB's replication role, the only principal the platform table's resource policy
   * lets write (API keys, revocations, tenants, client bindings). The operators' CLI runs as it.
   */
  operators: (platform: string): string => `${platform}-operators`,
  /**
   * IAM path of every role the platform's stacks create (`/<platform>/`): the key policies name the platform's roles,
   * most of them created by stacks deployed after the keys and named by CloudFormation, by `role/<platform>/*`.
   */
  path: (platform: string): string => `/${platform}/`,
} as const;

/** Path and name of the service-linked role DynamoDB global tables replicate with (one per account). */
export const DYNAMODB_REPLICATION_ROLE = 'aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication';

/**
 * The data-plane actions that write items (TransactWriteItems authorizes as PutItem/UpdateItem/DeleteItem per item,
 * ExecuteStatement/BatchExecuteStatement/ExecuteTransaction as the PartiQL actions).
 */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete',
] as const;

/**
 * The tag that marks the platform's CloudFront distribution (`<key>=<platform>`): the origin-verify rotation may read
 * and update only a distribution that carries it (`aws:ResourceTag`), since the distribution's id is unknown when the
 * rotation's stack deploys.
 */
export const ORIGIN_VERIFY_DISTRIBUTION_TAG = 'secure-api-platform:origin-verify';

/**
 * The platform's tables, named from the platform so every region's stacks and the operators' CLI address them without a
 * cross-region reference or a lookup.
 */
export const TableNames = {
  /** The global table (revocations, API-key hashes, tenants, client bindings): one replica per region. */
  global: (platform: string): string => `${platform}-platform`,
  /** The regional idempotency table (Powertools idempotency records of one region's writes). */
  idempotency: (platform: string): string => `${platform}-idempotency`,
  /** The platform a global table belongs to, from its name (undefined for a table named otherwise). */
  platformOf: (table: string): string | undefined => (table.endsWith('-platform') && table.length > '-platform'.length ? table.slice(0, -'-platform'.length) : undefined),
} as const;

/**
 * The CloudWatch Logs group of the operators' audit trail (primary region): the global stack creates it, the operators'
 * role may write streams in it only, and the CLI writes one line per change to it.
 */
export function operationsAuditLogGroup(platform: string): string {
  return `/${platform}/audit/operations`;
}

/** API Gateway names of one API version: the gateway gives them, the CLI and the alarms find the resources by them. */
export const ApiNames = {
  /** The REST API of one API version. */
  restApi: (platform: string, api: string, version: string): string => `${platform}-${api}-${version}`,
  /** The usage plan of one tenant plan on one API version (the CLI attaches each tenant's metering key to it). */
  usagePlan: (platform: string, api: string, version: string, plan: string): string => `${ApiNames.restApi(platform, api, version)}-${plan}`,
} as const;

/**
 * Platform and API names: 3 to 24 lowercase letters, digits and hyphens. They prefix resource names of every kind (tables,
 * roles, functions, log groups), so the spec, the renderers and the CLI accept exactly these.
 */
export const PLATFORM_NAME_PATTERN = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;

/** Tenant plan names (the spec's `plans` keys, the CLI's `--plan`; they end usage-plan names). */
export const PLAN_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** An AWS region name, in every partition (`eu-west-1`, `us-gov-west-1`, `us-isob-east-1`). */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** An Azure region name (`westeurope`, `swedencentral`). */
export const AZURE_REGION_PATTERN = /^[a-z]+[a-z0-9]*$/;

/** A region name of either cloud. */
export function isRegionName(value: string): boolean {
  return AWS_REGION_PATTERN.test(value) || AZURE_REGION_PATTERN.test(value);
}
