import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { corsEnvironment, ResolvedSpec } from '../../../lib/spec';
import { PLATFORM_NODE_RUNTIME } from '../common/lambda-runtime';

export interface BackendFunctionProps {
  readonly spec: ResolvedSpec;
  /** What the backend serves, e.g. `orders v1`. */
  readonly description: string;
  /**
   * Function name (the trail selects the platform's functions by computed name).
   * @default - generated
   */
  readonly functionName?: string;
  /**
   * Why this backend runs outside a VPC, in terms of what its code reaches (it goes into the compliance report as the
   * reason of the LambdaInsideVPC acknowledgments). The platform cannot know what your code connects to.
   * @default - no acknowledgment: the packs' LambdaInsideVPC findings stand until you give the reason or a VPC
   */
  readonly noVpcReason?: string;
  /** A pre-built code asset (bundled ahead of synth: no Docker, no esbuild at synth). */
  readonly code: lambda.Code;
  /**
   * Handler.
   * @default 'index.handler'
   */
  readonly handler?: string;
  /** Key of the function's environment and log group (PlatformKeys.logs). */
  readonly key: kms.IKey;
  /** Tables the backend reads and writes (its data, the regional idempotency table). */
  readonly tables?: (dynamodb.ITable | dynamodb.ITableV2)[];
  /**
   * Environment (no secrets; encrypted with `key`).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Timeout; keep it below the integration timeout so the gateway never waits on a function that already gave up.
   * @default - the smallest route timeout of the API, less 500 ms
   */
  readonly timeout?: Duration;
}

/**
 * A Lambda backend behind the platform's gateway: nodejs24.x on arm64, a role with only its log group, X-Ray and
 * item-level access to the tables it is given (no managed or inline policies), KMS-encrypted environment and logs,
 * reserved concurrency from the spec (a bulkhead: a flood on one API cannot starve the authorizer or other APIs),
 * active tracing.
 */
export class BackendFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BackendFunctionProps) {
    super(scope, id);
    const spec = props.spec;
    const timeout = props.timeout ?? Duration.seconds(Math.max(1, Math.floor((Math.min(...spec.routes.map((r) => r.timeoutMs)) - 500) / 1000)));
    if (!Token.isUnresolved(timeout.toMilliseconds()) && timeout.toMilliseconds() > 29_000) {
      throw new PlatformValidationError(`timeout must be at most 29 s, the gateway's integration limit (received: ${timeout.toHumanString()}); lower it`, this);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Backend ${props.description}` });
    const statements = [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }),
    ];
    for (const table of props.tables ?? []) {
      statements.push(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
        resources: [table.tableArn],
      }));
      if (table.encryptionKey) statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [table.encryptionKey.keyArn] }));
    }
    this.policy = new iam.ManagedPolicy(this, 'Policy', { statements, roles: [this.role], description: `Least privilege of backend ${props.description}` });
    acknowledge(this.policy, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; the wildcard covers only these two write-only tracing actions');
    this.function = new lambda.Function(this, 'Resource', {
      functionName: props.functionName,
      description: `Backend ${props.description}`,
      runtime: PLATFORM_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: props.handler ?? 'index.handler',
      role: this.role.withoutPolicyUpdates(),
      memorySize: 512,
      timeout,
      reservedConcurrentExecutions: spec.backendConcurrency,
      // The CORS allowlist, so the backend echoes an allowed origin on real responses (corsResponseHeaders).
      environment: { ...props.environment, ...corsEnvironment(spec), NODE_OPTIONS: '--enable-source-maps' },
      environmentEncryption: props.key,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    this.function.node.addDependency(this.policy);
    const sync = 'API Gateway invokes the backend synchronously (its Lambda proxy integration) and returns any failure to the caller; a dead-letter queue only applies to asynchronous invocations';
    for (const pack of ['HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5']) {
      acknowledge(this.function, `${pack}-LambdaDLQ`, sync, 'the backend is invoked by its API Gateway integration (synchronous)');
    }
    if (props.noVpcReason !== undefined) {
      for (const pack of ['HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5']) {
        acknowledge(this.function, `${pack}-LambdaInsideVPC`, props.noVpcReason, 'the backend\'s owner stated what its code reaches (noVpcReason)');
      }
    }
  }
}
