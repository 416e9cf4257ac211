import { Annotations, Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BackendFactory } from './backends';
import { clientIdsParameter } from './global-data-stack';
import { IdempotencyTable } from './platform-table';
import { RegionalFailover } from './regional-failover';
import { IssuerConfig } from '../../../lib/authorizer/config';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { TableNames } from '../../../lib/spec/contracts/names';
import { externalIssuerConfigs } from '../../../lib/spec/issuers';
import { AuditArchive } from '../audit/audit-archive';
import { ArchivedLogSource, AuditLogShipping } from '../audit/log-shipping';
import { PlatformNames } from '../common/names';
import { SecurityNames } from '../common/security-names';
import { RegionalWaf } from '../edge/regional-waf';
import { ApiDomains } from '../gateway/api-domains';
import { SecureRestApi } from '../gateway/secure-rest-api';
import { cognitoIssuerConfig } from '../identity/platform-identity';
import { PlatformKeys } from '../keys/platform-keys';
import { ApiGatewayLogsRole } from '../observability/account-baseline';
import { SecurityAlarms } from '../observability/security-alarms';

/** Props of `RegionalPlatformStack`. */
export interface RegionalPlatformStackProps extends StackProps {
  /** The resolved platform spec. */
  readonly spec: ResolvedSpec;
  /** This region's platform keys (`RegionalKeysStack.keys`). */
  readonly keys: PlatformKeys;
  /**
   * This region's audit archive (the global stack's in the primary region, the keys stack's elsewhere): the stack
   * depends on it; the log shipping reaches it by its computed name.
   */
  readonly archive: AuditArchive;
  /**
   * Lambda backends by API name (required for each API whose backend kind is `lambda`).
   * @default - none
   */
  readonly backends?: Record<string, BackendFactory>;
  /**
   * Cedar policies evaluated by the authorizer after the scope check.
   * @default - scopes only
   */
  readonly policies?: string;
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

  constructor(scope: Construct, id: string, props: RegionalPlatformStackProps) {
    super(scope, id, props);
    const spec = props.spec;
    const keys = props.keys;
    const region = this.region;
    this.waf = new RegionalWaf(this, 'Waf', { spec, logKey: keys.logs });
    if (spec.domain) {
      this.domains = new ApiDomains(this, 'Domains', { spec, regionalHealthDomain: true });
    }
    this.idempotencyTable = new IdempotencyTable(this, 'Idempotency', { spec, key: keys.data });
    const table = dynamodb.TableV2.fromTableAttributes(this, 'PlatformTable', { tableName: TableNames.global(spec.name), encryptionKey: keys.data });
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
    if (spec.apiGatewayLogsRole === 'platform') {
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
