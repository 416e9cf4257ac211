import { Annotations, Aspects, Fn, RemovalPolicy, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BackendFunction } from './backend-function';
import { OperatorsRole } from './operators-role';
import { IdempotencyTable, PlatformTable, TableNames } from './platform-table';
import { RegionParameters } from './region-parameters';
import { RegionalFailover } from './regional-failover';
import { IssuerConfig } from '../../../lib/authorizer/config';
import { PlatformValidationError } from '../../../lib/errors';
import { ApiSpec, PlatformSpec, resolveSpec, ResolvedSpec } from '../../../lib/spec';
import { FunctionNames, RoleNames, ROUTE53_METRICS_REGION } from '../../../lib/spec/contracts/names';
import { AuditArchive } from '../audit/audit-archive';
import { AuditTrail } from '../audit/audit-trail';
import { ArchivedLogSource, AuditLogShipping } from '../audit/log-shipping';
import { externalIssuerConfigs } from '../common/issuers';
import { PlatformNames } from '../common/names';
import { RolePathAspect } from '../common/role-path';
import { KeyPurpose, SecurityNames } from '../common/security-names';
import { EdgeDistribution } from '../edge/edge-distribution';
import { RegionalWaf } from '../edge/regional-waf';
import { ApiDomains } from '../gateway/api-domains';
import { SecureRestApi } from '../gateway/secure-rest-api';
import { cognitoIssuerConfig, PlatformIdentity } from '../identity/platform-identity';
import { CloudHsmInitialization, CloudHsmKeyStore } from '../keys/cloudhsm-key-store';
import { OriginVerifySecret } from '../keys/origin-verify-secret';
import { PlatformKeys, platformKeyPolicy, renderOnlyOwnPolicy } from '../keys/platform-keys';
import { AccountBaseline, ApiGatewayLogsRole } from '../observability/account-baseline';
import { HealthCheckAlarms } from '../observability/health-alarms';
import { SecurityAlarms } from '../observability/security-alarms';

/** What a backend factory gets to build an API's Lambda backend in one region. */
export interface BackendContext {
  readonly spec: ResolvedSpec;
  readonly api: ApiSpec;
  readonly region: string;
  /** This region's platform keys (use `logs` for the function, `data` for its tables). */
  readonly keys: PlatformKeys;
  /** This region's idempotency table (Powertools idempotency). */
  readonly idempotencyTable: dynamodb.ITableV2;
}

/** Options of `SecureApiPlatform.lambdaBackend`. */
export interface LambdaBackendOptions {
  /**
   * Tables of the backend's own data, created in `scope` (the idempotency table is always granted).
   * @default - none
   */
  readonly tables?: (ctx: BackendContext, scope: Construct) => (dynamodb.ITable | dynamodb.ITableV2)[];
  /**
   * Extra environment variables (no secrets).
   * @default - IDEMPOTENCY_TABLE only
   */
  readonly environment?: (ctx: BackendContext) => Record<string, string>;
  /**
   * Why the backend runs outside a VPC, in terms of what its code reaches (the reason of its LambdaInsideVPC
   * acknowledgments; see `BackendFunctionProps.noVpcReason`).
   * @default - no acknowledgment: the LambdaInsideVPC findings stand
   */
  readonly noVpcReason?: string;
}

/** Builds the Lambda backend of one API in one region (called once per region and API with a `lambda` backend). */
export type BackendFactory = (scope: Construct, context: BackendContext) => lambda.IFunction;

export interface SecureApiPlatformProps {
  /** What to build. Validated (every problem reported at once) before any resource is created. */
  readonly spec: PlatformSpec;
  /**
   * The AWS account of every stack.
   * @default - the CLI's account at deploy time (environment-agnostic account; regions are always explicit)
   */
  readonly account?: string;
  /**
   * Lambda backends by API name (required for each API whose backend kind is `lambda`).
   * @default - none
   */
  readonly backends?: Record<string, BackendFactory>;
  /**
   * Cedar policies evaluated by the authorizer after the scope check (RBAC + ABAC).
   * @default - scopes only
   */
  readonly policies?: string;
  /**
   * CloudHSM initialization (trust anchor, KMS user password) for `spec.keys.hsmBacked`. Without it the cluster and
   * HSMs are created and the key store waits for the manual steps documented on `CloudHsmKeyStore`.
   * @default - cluster only
   */
  readonly hsmInitialization?: CloudHsmInitialization;
  /**
   * Also create the per-account baseline (GuardDuty, Security Hub, Config rules, the API Gateway logs role) in
   * every region. Deploying it over existing detectors or hubs fails, so it is never created unasked.
   * @default false
   */
  readonly accountBaseline?: boolean;
  /**
   * Trail every account of the AWS Organization (the stack must then be deployed in the management account).
   * @default false
   */
  readonly organizationTrail?: boolean;
  /**
   * Prefix of the stack names.
   * @default - the construct id
   */
  readonly stackPrefix?: string;
}

/** The keys (and, in secondary regions, the archive that receives the primary's replica) of one region. */
export class RegionalKeysStack extends Stack {
  public readonly keys: PlatformKeys;
  /** The archive of a secondary region (the primary's archive is in the global stack). */
  public readonly archive?: AuditArchive;
  public readonly hsm?: CloudHsmKeyStore;

  constructor(scope: Construct, id: string, props: StackProps & { spec: ResolvedSpec; hsmInitialization?: CloudHsmInitialization }) {
    super(scope, id, props);
    const spec = props.spec;
    this.keys = new PlatformKeys(this, 'Keys', { spec });
    if (this.region !== spec.primaryRegion) {
      // The replication destination of the primary archive; replicating back would make each bucket wait for the other.
      this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: this.keys.audit, replicationRegion: null });
    } else if (spec.hsmBacked) {
      this.hsm = new CloudHsmKeyStore(this, 'Hsm', { spec, logKey: this.keys.logs, initialization: props.hsmInitialization });
    }
  }
}

/**
 * us-east-1 keys and archive for what the edge needs there when us-east-1 is not a platform region: the origin-verify
 * secret replica, CloudFront and web ACL logs, and the WORM archive those logs reach (`<platform>-audit-<account>-us-east-1`).
 */
export class EdgeKeysStack extends Stack {
  public readonly secrets: kms.Key;
  public readonly logs: kms.Key;
  /** Key of the us-east-1 archive. */
  public readonly audit: kms.Key;
  /** The archive of the edge's logs (CloudFront, the CLOUDFRONT web ACL). */
  public readonly archive: AuditArchive;

  constructor(scope: Construct, id: string, props: StackProps & { spec: ResolvedSpec }) {
    super(scope, id, props);
    const spec = props.spec;
    // The same key policies as PlatformKeys: administration for the account, use only through the purpose's services.
    const key = (keyId: string, purpose: KeyPurpose, description: string) => {
      const statements = platformKeyPolicy(this, spec, purpose);
      const k = new kms.Key(this, keyId, {
        alias: SecurityNames.keyAlias(spec, purpose), enableKeyRotation: true, description, policy: new iam.PolicyDocument({ statements }),
      });
      renderOnlyOwnPolicy(k, statements);
      return k;
    };
    this.secrets = key('Secrets', KeyPurpose.SECRETS, `${spec.name}: the us-east-1 replica of the origin-verify secret`);
    this.logs = key('Logs', KeyPurpose.LOGS, `${spec.name}: CloudFront web ACL and access logs`);
    this.audit = key('Audit', KeyPurpose.AUDIT, `${spec.name}: the us-east-1 audit archive (CloudFront and edge web ACL logs)`);
    // Logs of the edge only: the trail and the regional logs have their archives in the platform regions.
    this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: this.audit, replicationRegion: null });
  }
}

/** Primary region: what all regions share. */
export class GlobalDataStack extends Stack {
  public readonly table: PlatformTable;
  public readonly archive: AuditArchive;
  public readonly trail: AuditTrail;
  public readonly identity?: PlatformIdentity;
  public readonly originVerify?: OriginVerifySecret;
  /** Where the operators' CLI writes its audit line (who, what, when) for every change. */
  public readonly operationsLog: logs.LogGroup;
  /** The role the operators' CLI runs as: the only one the table lets write items. */
  public readonly operators: OperatorsRole;

  constructor(scope: Construct, id: string, props: StackProps & { spec: ResolvedSpec; keys: PlatformKeys; organizationTrail?: boolean }) {
    super(scope, id, props);
    const spec = props.spec;
    const keys = props.keys;
    this.table = new PlatformTable(this, 'Table', { spec, key: keys.data });
    this.operators = new OperatorsRole(this, 'Operators', { spec, tableName: this.table.tableName });
    this.operationsLog = new logs.LogGroup(this, 'OperationsLog', {
      logGroupName: `/${spec.name}/audit/operations`,
      encryptionKey: keys.logs,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.archive = new AuditArchive(this, 'Archive', { spec, encryptionKey: keys.audit });
    this.trail = new AuditTrail(this, 'Trail', {
      spec, bucket: this.archive.bucket, encryptionKey: keys.audit, logKey: keys.logs, organizationTrail: props.organizationTrail,
    });
    if (spec.userPool) {
      this.identity = new PlatformIdentity(this, 'Identity', { spec, table: this.table.table, logKey: keys.logs });
      const clientIds = Object.values(this.identity.clients).map((c) => c.userPoolClientId);
      // Every region reads the pool and its clients by parameter name in its own region (the pool id is not computable).
      new RegionParameters(this, 'IdentityParameters', {
        regions: spec.regions,
        description: `${spec.name}: identity published for the regional authorizers`,
        // PlatformIdentity writes the pool id parameter in this region itself.
        existingLocally: [PlatformNames.userPoolIdParameter(spec)],
        parameters: {
          [PlatformNames.userPoolIdParameter(spec)]: this.identity.userPool.userPoolId,
          ...(clientIds.length > 0 ? { [clientIdsParameter(spec)]: Fn.join(',', clientIds) } : {}),
        },
      });
    }
    if (spec.edge.cdn && spec.spec.domain) {
      const replicaRegions = [...spec.secondaryRegions, ...(spec.regions.includes('us-east-1') ? [] : ['us-east-1'])];
      this.originVerify = new OriginVerifySecret(this, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs, replicaRegions });
    }
  }
}

/** The regional platform: WAF, gateway, authorizer, backends, alarms, log shipping, failover. */
export class RegionalPlatformStack extends Stack {
  public readonly waf: RegionalWaf;
  public readonly domains?: ApiDomains;
  /** Every API version of this region, by `<api>-<version>`. */
  public readonly apis: Record<string, SecureRestApi> = {};
  /** The first API of the spec (the common case of one API). */
  public readonly api: SecureRestApi;
  public readonly idempotencyTable: IdempotencyTable;
  public readonly alarms: SecurityAlarms;
  public readonly logShipping: AuditLogShipping;
  public readonly failover?: RegionalFailover;
  /** The account's API Gateway CloudWatch Logs role (absent when the spec says it is managed elsewhere). */
  public readonly apiGatewayLogs?: ApiGatewayLogsRole;
  public readonly backends: Record<string, lambda.IFunction> = {};

  constructor(scope: Construct, id: string, props: StackProps & {
    spec: ResolvedSpec;
    keys: PlatformKeys;
    archive: AuditArchive;
    backends?: Record<string, BackendFactory>;
    policies?: string;
  }) {
    super(scope, id, props);
    const spec = props.spec;
    const keys = props.keys;
    const region = this.region;
    this.waf = new RegionalWaf(this, 'Waf', { spec, logKey: keys.logs });
    if (spec.spec.domain) {
      this.domains = new ApiDomains(this, 'Domains', { spec, regionalHealthDomain: true });
    }
    this.idempotencyTable = new IdempotencyTable(this, 'Idempotency', { spec, key: keys.data });
    const table = dynamodb.TableV2.fromTableAttributes(this, 'PlatformTable', { tableName: TableNames.global(spec), encryptionKey: keys.data });
    const issuers = regionalIssuers(this, spec);

    for (const api of spec.apis) {
      const key = `${api.name}-${api.version}`;
      let backend: lambda.IFunction | undefined;
      if ((api.backend?.kind ?? 'lambda') === 'lambda') {
        const factory = props.backends?.[api.name];
        if (!factory) {
          throw new PlatformValidationError(`backends.${api.name} is required: spec API "${api.name}" has a lambda backend (received: no factory for it); pass backends: { ${api.name}: (scope, ctx) => fn }`, this);
        }
        backend = factory(new Construct(this, `Backend-${key}`), { spec, api, region, keys, idempotencyTable: this.idempotencyTable.table });
        this.backends[key] = backend;
      }
      this.apis[key] = new SecureRestApi(this, `Api-${key}`, {
        spec,
        api: api.name,
        version: api.version,
        backend,
        issuers,
        table,
        policies: props.policies,
        webAcl: this.waf,
        domains: this.domains,
        key: keys.logs,
      });
    }
    this.api = Object.values(this.apis)[0];
    // The account's API Gateway logs role, once per account and region, before any stage that logs.
    if ((spec.spec.observability?.apiGatewayLogsRole ?? 'platform') === 'platform') {
      this.apiGatewayLogs = new ApiGatewayLogsRole(this, 'ApiGatewayLogs');
      for (const a of Object.values(this.apis)) a.stage.node.addDependency(this.apiGatewayLogs.account);
    }

    const apis = Object.values(this.apis);
    this.alarms = new SecurityAlarms(this, 'Alarms', {
      spec,
      topicKey: keys.logs,
      apis: spec.apis.map((a) => ({ api: a.name, version: a.version, accessLogGroup: this.apis[`${a.name}-${a.version}`].accessLogGroup })),
      webAclName: this.waf.webAcl.name,
      authorizerFunctionName: apis.find((a) => a.authorizerFunction)?.authorizerFunction?.function.functionName,
    });
    // Every security log of the region reaches the archive: access logs, WAF, authorizer decisions, backends.
    const sources: ArchivedLogSource[] = [
      ...apis.map((a) => ({ logGroup: a.accessLogGroup, source: 'apiAccess' as const })),
      { logGroup: this.waf.logGroup, source: 'waf' },
      ...apis.flatMap((a) => (a.authorizerFunction ? [{ logGroup: a.authorizerFunction.logGroup, source: 'authorizer' as const }] : [])),
      ...Object.entries(this.backends).flatMap(([key, fn]) => backendLogSource(this, key, fn)),
    ];
    // The archive of this region by its computed name: no export/import between the archive's stack and this one.
    const archiveBucket = s3.Bucket.fromBucketAttributes(this, 'Archive', { bucketName: SecurityNames.auditArchiveBucket(spec, region), encryptionKey: keys.audit });
    this.logShipping = new AuditLogShipping(this, 'LogShipping', { spec, archiveBucket, archiveKey: keys.audit, logKey: keys.logs, sources });
    this.node.addDependency(props.archive);

    if (this.domains?.healthDomain) {
      const health = spec.publicRoutes.find((r) => r.path === '/health' && r.method === 'GET');
      if (health) {
        this.failover = new RegionalFailover(this, 'Failover', {
          spec,
          zone: this.domains.zone,
          domain: this.domains.publicDomain,
          healthDomain: this.domains.healthDomain,
          healthPath: `/${health.version}${health.path}`,
          mtlsDomain: this.domains.mtlsDomain,
        });
      }
    }
  }
}

/**
 * us-east-1: CloudFront, its web ACL and Shield Advanced protections; their logs (CloudFront access logs, web ACL logs)
 * shipped redacted to the us-east-1 archive (`<platform>-audit-<account>-us-east-1`) by the `<platform>-edge-audit-logs` stream.
 */
export class EdgeStack extends Stack {
  public readonly edge: EdgeDistribution;
  public readonly logShipping: AuditLogShipping;

  constructor(scope: Construct, id: string, props: StackProps & {
    spec: ResolvedSpec;
    logKey?: kms.IKey;
    /** Key of the us-east-1 archive. */
    archiveKey: kms.IKey;
    /** Key of the shipping stream and its function's logs (its policy lets CloudWatch Logs use it). */
    shippingKey: kms.IKey;
  }) {
    super(scope, id, props);
    const spec = props.spec;
    this.edge = new EdgeDistribution(this, 'Edge', { spec, logKey: props.logKey });
    const archiveBucket = s3.Bucket.fromBucketAttributes(this, 'Archive', { bucketName: SecurityNames.auditArchiveBucket(spec, this.region), encryptionKey: props.archiveKey });
    this.logShipping = new AuditLogShipping(this, 'LogShipping', {
      spec,
      archiveBucket,
      archiveKey: props.archiveKey,
      logKey: props.shippingKey,
      deliveryStreamName: SecurityNames.edgeLogDeliveryStream(spec),
      functionName: FunctionNames.edgeRedaction(spec.name),
      sources: [{ logGroup: this.edge.logGroup, source: 'waf' }, { logGroup: this.edge.accessLogGroup, source: 'cloudfront' }],
    });
  }
}

/**
 * The log group of a backend function, for the archive: the group its logging configuration names (BackendFunction and
 * any function given `logGroup`). A function logging to Lambda's implicit group gets a warning instead: a subscription
 * needs a group that exists when the stack deploys.
 */
function backendLogSource(scope: Construct, key: string, fn: lambda.IFunction): ArchivedLogSource[] {
  const cfn = fn.node.defaultChild as lambda.CfnFunction | undefined;
  const config = cfn?.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined;
  if (cfn instanceof lambda.CfnFunction && config && typeof config === 'object' && config.logGroup) {
    return [{ logGroup: logs.LogGroup.fromLogGroupName(scope, `BackendLogs-${key}`, config.logGroup), source: 'backend' }];
  }
  Annotations.of(fn).addWarningV2('@secure-api-platform/audit:backendLogsNotArchived',
    `The logs of backend ${key} do not reach the audit archive: give the function a log group (lambda.Function logGroup), or build it with SecureApiPlatform.lambdaBackend`);
  return [];
}

/** SSM parameter with the comma-joined app client ids of the user pool (published in every region). */
export function clientIdsParameter(spec: ResolvedSpec): string {
  return `/${spec.name}/identity/client-ids`;
}

/**
 * The issuers a regional authorizer trusts: the primary user pool (its id and client ids read from this region's
 * SSM parameters, so the stack holds no cross-region token) and the spec's external OIDC issuers.
 */
function regionalIssuers(scope: Stack, spec: ResolvedSpec): IssuerConfig[] {
  const issuers = externalIssuerConfigs(spec);
  const clients = spec.userPool?.clients ?? [];
  if (!spec.userPool || clients.length === 0) return issuers;
  const poolId = ssm.StringParameter.valueForStringParameter(scope, PlatformNames.userPoolIdParameter(spec));
  const joined = ssm.StringParameter.valueForStringParameter(scope, clientIdsParameter(spec));
  // Cognito grants resource-server scopes as `<api name>/<scope>`; SecureRestApi narrows the prefix to its own API.
  return [cognitoIssuerConfig(spec, poolId, clients.map((_, i) => Fn.select(i, Fn.split(',', joined))), spec.apis[0].name), ...issuers];
}

/**
 * The complete platform from one spec: per-region keys, the global data stack, a regional platform per region and
 * the us-east-1 edge, wired by computed names (aliases, table and secret names, SSM parameters) instead of tokens
 * across regions, in a fixed deployment order:
 *
 * 1. `<prefix>-Keys-<region>` (primary first, then secondaries: replicas of the primary's multi-region keys, the
 *    secondary archives), and `<prefix>-EdgeKeys` in us-east-1 when the CDN is on;
 * 2. `<prefix>-Global` (primary region): global table, audit archive + trail, user pool, origin-verify secret;
 * 3. `<prefix>-Region-<region>`: WAF, gateway, authorizer, backends, alarms, dashboard, log shipping, failover;
 * 4. `<prefix>-Edge` (us-east-1): CloudFront, its web ACL, Shield Advanced.
 */
export class SecureApiPlatform extends Construct {
  /**
   * A backend factory for a pre-built asset folder (bundled ahead of synth) with the platform's defaults (see
   * `BackendFunction`): the regional idempotency table and the given tables granted, IDEMPOTENCY_TABLE set.
   */
  public static lambdaBackend(assetPath: string, options: LambdaBackendOptions = {}): BackendFactory {
    return (scope, ctx) => {
      const tables = [ctx.idempotencyTable, ...(options.tables?.(ctx, scope) ?? [])];
      return new BackendFunction(scope, 'Function', {
        spec: ctx.spec,
        description: `${ctx.api.name} ${ctx.api.version} in ${ctx.region}`,
        functionName: FunctionNames.backend(ctx.spec.name, ctx.api.name, ctx.api.version),
        noVpcReason: options.noVpcReason,
        code: lambda.Code.fromAsset(assetPath),
        key: ctx.keys.logs,
        tables,
        environment: { IDEMPOTENCY_TABLE: ctx.idempotencyTable.tableName, ...options.environment?.(ctx) },
      }).function;
    };
  }

  public readonly spec: ResolvedSpec;
  public readonly keys: Record<string, RegionalKeysStack> = {};
  public readonly edgeKeys?: EdgeKeysStack;
  public readonly global: GlobalDataStack;
  public readonly regions: Record<string, RegionalPlatformStack> = {};
  public readonly edge?: EdgeStack;
  public readonly baselines: Record<string, Stack> = {};
  /** us-east-1: alarms on the regions' Route 53 health checks (when any region has one). */
  public readonly healthAlarms?: Stack;

  constructor(scope: Construct, id: string, props: SecureApiPlatformProps) {
    super(scope, id);
    this.spec = resolveSpec(props.spec);
    const spec = this.spec;
    const prefix = props.stackPrefix ?? id;
    if (!/^[A-Za-z][A-Za-z0-9-]{0,80}$/.test(prefix)) {
      throw new PlatformValidationError(`stackPrefix must be letters, digits and hyphens (received: ${JSON.stringify(prefix)}); stack names are built from it`, this);
    }
    if (props.account !== undefined && !Token.isUnresolved(props.account) && !/^\d{12}$/.test(props.account)) {
      throw new PlatformValidationError(`account must be a 12-digit AWS account id (received: ${JSON.stringify(props.account)})`, this);
    }
    const env = (region: string) => ({ account: props.account, region });
    const root = this.node.scope ?? this;
    const description = (what: string) => `${spec.name}: ${what} (secure-api-platform)`;

    for (const region of spec.regions) {
      const stack = new RegionalKeysStack(root, `${prefix}-Keys-${region}`, { env: env(region), spec, hsmInitialization: props.hsmInitialization, description: description(`keys of ${region}`) });
      if (region !== spec.primaryRegion) stack.addStackDependency(this.keys[spec.primaryRegion]);
      this.keys[region] = stack;
    }
    const needsEdge = spec.edge.cdn && spec.spec.domain !== undefined;
    if (needsEdge && !spec.regions.includes('us-east-1')) {
      this.edgeKeys = new EdgeKeysStack(root, `${prefix}-EdgeKeys`, { env: env('us-east-1'), spec, description: description('us-east-1 keys of the edge') });
    }
    this.global = new GlobalDataStack(root, `${prefix}-Global`, {
      env: env(spec.primaryRegion), spec, keys: this.keys[spec.primaryRegion].keys, organizationTrail: props.organizationTrail, description: description('global data, identity and audit'),
    });
    Object.values(this.keys).forEach((k) => this.global.addStackDependency(k));
    if (this.edgeKeys) this.global.addStackDependency(this.edgeKeys);

    for (const region of spec.regions) {
      const keysStack = this.keys[region];
      const archive = region === spec.primaryRegion ? this.global.archive : keysStack.archive!;
      const stack = new RegionalPlatformStack(root, `${prefix}-Region-${region}`, {
        env: env(region), spec, keys: keysStack.keys, archive, backends: props.backends, policies: props.policies, description: description(`regional platform in ${region}`),
      });
      stack.addStackDependency(this.global);
      stack.addStackDependency(keysStack);
      this.regions[region] = stack;
    }

    if (needsEdge) {
      const usEast1 = this.keys['us-east-1']?.keys;
      this.edge = new EdgeStack(root, `${prefix}-Edge`, {
        env: env('us-east-1'),
        spec,
        logKey: this.edgeKeys?.logs,
        archiveKey: this.edgeKeys?.audit ?? usEast1!.audit,
        shippingKey: this.edgeKeys?.logs ?? usEast1!.logs,
        description: description('CloudFront edge, web ACL and Shield'),
      });
      Object.values(this.regions).forEach((r) => this.edge!.addStackDependency(r));
      if (this.edgeKeys) this.edge.addStackDependency(this.edgeKeys);
    }

    // Route 53 health-check metrics exist only in us-east-1: the alarms on them live there, CDN or not.
    const checked = Object.entries(this.regions).filter(([, r]) => r.failover).map(([region]) => region);
    if (checked.length > 0) {
      this.healthAlarms = new Stack(root, `${prefix}-HealthAlarms`, { env: env(ROUTE53_METRICS_REGION), description: description('Route 53 health-check alarms (us-east-1)') });
      new HealthCheckAlarms(this.healthAlarms, 'Health', { spec, regions: checked });
      checked.forEach((r) => this.healthAlarms!.addStackDependency(this.regions[r]));
    }

    if (props.accountBaseline) {
      for (const region of spec.regions) {
        const stack = new Stack(root, `${prefix}-Baseline-${region}`, { env: env(region), description: description(`account baseline in ${region}`) });
        // The regional platform stacks already create the API Gateway logs role (or the spec says it exists).
        new AccountBaseline(stack, 'Baseline', { apiGatewayLoggingRole: false });
        this.keys[region].addStackDependency(stack);
        this.baselines[region] = stack;
      }
    }
    // Every role of the platform under /<platform>/: the key policies name the platform's roles by that path.
    const stacks = [
      ...Object.values(this.keys), this.edgeKeys, this.global, ...Object.values(this.regions),
      this.edge, this.healthAlarms, ...Object.values(this.baselines),
    ];
    for (const s of stacks) if (s) Aspects.of(s).add(new RolePathAspect(RoleNames.path(spec.name)));
  }

}
