import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { configuredAuthorizerAsset } from './authorizer-asset';
import { cedarEngineFor, checkCedarPolicies } from '../../../lib/authorizer/cedar';
import { AuthorizerConfig } from '../../../lib/authorizer/config';
import { validateAuthorizerConfig } from '../../../lib/authorizer/config-validate';
import { DEPLOY_VALUES_ENV, splitConfig } from '../../../lib/authorizer/config-source';
import { unknownPolicyActions } from '../../../lib/authorizer/policy-actions';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { DEPLOY_LIMITS, LIMIT_NAMES } from '../../../lib/spec/contracts/limits';
import { PLATFORM_NODE_RUNTIME, authorizerAssetPath } from '../common/lambda-runtime';

export interface AuthorizerFunctionProps {
  readonly spec: ResolvedSpec;
  /** The authorizer configuration (written into the code asset; its deploy-time values into the environment). */
  readonly config: AuthorizerConfig;
  /** Name of the DynamoDB table (API keys, revocations, tenants); its ARN is computed in this region (global table replica). */
  readonly tableName?: string;
  /**
   * Key of the table, when it is encrypted with a customer-managed key.
   * @default - none (AWS-owned or AWS-managed key: no KMS grant needed)
   */
  readonly tableKey?: kms.IKey;
  /** Key of the function's environment and log group. */
  readonly key: kms.IKey;
  /** Descriptive suffix for the construct's resources. */
  readonly description: string;
  /**
   * Function name (the trail selects the platform's functions by computed name).
   * @default - generated
   */
  readonly functionName?: string;
}

/** Room for NODE_OPTIONS and the variable names. */
const ENV_MARGIN_BYTES = 256;
/** What one deploy-time value (a user pool id, a client id) may add to the length of its placeholder. */
const DEPLOY_VALUE_BYTES = 64;

/** Replaces deploy-time tokens by placeholders of the right shape so the config can be validated at synth. */
function forValidation(config: AuthorizerConfig): AuthorizerConfig {
  const url = (v: string): string => (Token.isUnresolved(v) ? 'https://resolved-at-deploy.invalid/x' : v);
  const str = (v: string): string => (Token.isUnresolved(v) ? 'resolved-at-deploy' : v);
  return {
    ...config,
    tableName: config.tableName === undefined ? undefined : str(config.tableName),
    issuers: config.issuers.map((i) => ({
      ...i,
      issuer: url(i.issuer),
      jwksUri: url(i.jwksUri),
      clientIds: i.clientIds?.map(str),
      audience: i.audience?.map(str),
    })),
  };
}

/**
 * The Lambda authorizer from the pre-built asset: a least-privilege role (its log group, X-Ray, GetItem on the one
 * table), KMS-encrypted environment and logs, reserved concurrency (a bulkhead), active tracing.
 */
export class AuthorizerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /**
   * Whether the asset ships the Cedar engine (@cedar-policy/cedar-wasm): only when the policies fall back to it from
   * the compiled engine (`cedarEngineFor`); otherwise the function's code is about 0.4 MB instead of 4.6 MB.
   */
  public readonly cedarEngine: boolean;

  constructor(scope: Construct, id: string, props: AuthorizerFunctionProps) {
    super(scope, id);
    try {
      validateAuthorizerConfig(forValidation(props.config));
    } catch (e) {
      throw new PlatformValidationError(`the authorizer configuration derived from the spec is invalid: ${(e as Error).message}; fix the spec's identity/apis or the issuers passed to SecureRestApi`, this);
    }
    if (props.config.policies !== undefined) {
      // The runtime parses only the policies its routes can need; the whole text is checked here, once, at synth.
      const errors = checkCedarPolicies(props.config.policies);
      if (errors.length > 0) {
        throw new PlatformValidationError(`policies: the Cedar policies do not parse: ${errors.join('; ')} (received ${props.config.policies.length} characters of policy text); `
          + 'fix the policy syntax (see examples/policies/*.cedar)', this);
      }
      // A policy on an action no route of any API produces never applies (a `forbid` there protects nothing).
      const unknown = unknownPolicyActions(props.config.policies, props.spec.routes.map((r) => r.key));
      if (unknown.length > 0) {
        throw new PlatformValidationError(`policies: the Cedar policies name actions no route of the spec produces (received: ${unknown.map((a) => `Action::"${a}"`).join(', ')}; `
          + `routes: ${[...new Set(props.spec.routes.map((r) => r.key))].join(', ')}); an action is "METHOD /resource" of a route: fix or remove those policies`, this);
      }
    }
    this.cedarEngine = props.config.policies !== undefined && cedarEngineFor(props.config.policies).engine === 'wasm';
    // The configuration goes into the code asset; only the values known at deploy (pool and client ids read from SSM)
    // stay in the environment, which Lambda caps at 4 KB in all. They are counted at their placeholders' length.
    const { file, values } = splitConfig(props.config, (v) => Token.isUnresolved(v));
    const envBytes = Buffer.byteLength(JSON.stringify(values)) + values.length * DEPLOY_VALUE_BYTES + ENV_MARGIN_BYTES;
    if (envBytes > DEPLOY_LIMITS.lambdaEnvironmentBytes) {
      throw new PlatformValidationError(`config: the authorizer's deploy-time values need about ${envBytes} bytes of environment (received ${values.length} values); `
        + `over ${LIMIT_NAMES.lambdaEnvironmentBytes}: trust fewer user pool clients or issuers per API`, this);
    }
    const stack = Stack.of(this);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: props.spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Lambda authorizer of ${props.description}: its own log group, X-Ray and read of one table`,
    });
    const statements = [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
      // The environment (the deploy-time values of the configuration) is encrypted with this key.
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }),
    ];
    if (props.tableName) {
      statements.push(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.tableName })],
      }));
    }
    if (props.tableKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.tableKey.keyArn] }));
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', { statements, roles: [this.role], description: `Least privilege of the ${props.description} authorizer` });
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; the wildcard covers only these two write-only tracing actions');

    this.function = new lambda.Function(this, 'Resource', {
      functionName: props.functionName,
      description: `Lambda authorizer of ${props.description} (JWT/OIDC, API keys, revocation, Cedar)`,
      runtime: PLATFORM_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      // The bundle with this authorizer's configuration beside it (content-addressed: the same config, the same asset).
      code: lambda.Code.fromAsset(configuredAuthorizerAsset(this, authorizerAssetPath(this), file, { cedarEngine: this.cedarEngine })),
      handler: 'index.handler',
      // Every permission is in the managed policy above; the function may not add an inline default policy.
      role: this.role.withoutPolicyUpdates(),
      memorySize: 512,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: props.spec.authorizerConcurrency,
      environment: { ...(values.length > 0 ? { [DEPLOY_VALUES_ENV]: stack.toJsonString(values) } : {}), NODE_OPTIONS: '--enable-source-maps' },
      environmentEncryption: props.key,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    this.function.node.addDependency(policy);
    acknowledge(this.function, 'HIPAA.Security-LambdaDLQ', 'API Gateway invokes the authorizer synchronously and turns any failure into a 401/500 for the caller; a dead-letter queue only applies to asynchronous invocations');
    acknowledge(this.function, 'NIST.800.53.R5-LambdaDLQ', 'API Gateway invokes the authorizer synchronously and turns any failure into a 401/500 for the caller; a dead-letter queue only applies to asynchronous invocations');
    const vpcReason = 'The authorizer fetches the issuers\' public JWKS over HTTPS and reads DynamoDB through its public TLS endpoint with IAM authentication; it reaches no private network resource, so a VPC would add NAT cost and a cold-start dependency without reducing exposure';
    acknowledge(this.function, 'HIPAA.Security-LambdaInsideVPC', vpcReason);
    acknowledge(this.function, 'PCI.DSS.321-LambdaInsideVPC', vpcReason);
    acknowledge(this.function, 'NIST.800.53.R5-LambdaInsideVPC', vpcReason);
  }
}
