import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { nagRef } from './key-grants';
import { PLATFORM_NODE_RUNTIME } from './lambda-runtime';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';

/** A small platform function (rotation, redaction): inline code, own role without managed policies, KMS-encrypted logs. */
export interface PlatformFunctionProps {
  /** What the function does, in a line (description, and the reason texts of its acknowledgments). */
  readonly purpose: string;
  /**
   * The handler: its CommonJS source (`exports.handler`, under CloudFormation's 4 KB inline limit), or a code asset
   * for a larger handler.
   */
  readonly code: string | lambda.Code;
  /** Key that encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /** Retention of the function's log group, in days (a CloudWatch-valid value). */
  readonly logRetentionDays: number;
  /**
   * Timeout.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency (a bulkhead: the function can neither starve nor be starved by others).
   * @default 2
   */
  readonly reservedConcurrency?: number;
  /**
   * Environment variables (no secrets: they are visible to anyone who can read the function's configuration).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Why the function runs outside a VPC (it goes into the compliance report).
   * @default - it calls only public AWS service endpoints over TLS and reaches no private resource
   */
  readonly noVpcReason?: string;
  /**
   * Function name (the trail selects the platform's functions by computed name).
   * @default - generated
   */
  readonly functionName?: string;
}

/**
 * A Lambda function with what every platform function needs: nodejs24.x, a role with only its own log group
 * (no AWSLambdaBasicExecutionRole, no inline policy), a KMS-encrypted log group with the profile's retention,
 * reserved concurrency; and acknowledgments of the findings that do not apply to a synchronous, VPC-less helper.
 */
export class PlatformFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  /** The role's customer-managed policy (no inline policies: HIPAA/PCI/NIST IAMNoInlinePolicy). Add statements with `addToPolicy`. */
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.purpose} (execution role)`,
    });
    const streams = Stack.of(this).formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${this.logGroup.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `${props.purpose} (permissions)`,
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [streams] })],
    });
    this.function = new lambda.Function(this, 'Resource', {
      functionName: props.functionName,
      runtime: PLATFORM_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: typeof props.code === 'string' ? lambda.Code.fromInline(props.code) : props.code,
      description: props.purpose,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: 256,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 2,
      environment: props.environment,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    const noVpc = props.noVpcReason
      ?? `${props.purpose}: it calls only public AWS service endpoints over TLS with SigV4 and reaches no private resource, so a VPC adds no isolation`;
    for (const rule of ['HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC']) {
      acknowledge(this.function, rule, noVpc);
    }
    const noDlq = `${props.purpose}: invoked synchronously by an AWS service that retries and records failures itself; a dead-letter queue only applies to asynchronous invocations`;
    for (const rule of ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ']) acknowledge(this.function, rule, noDlq);
    acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${nagRef(this, streams)}]`,
      'Lambda names its log streams at run time; the statement is limited to the log streams of this function\'s own log group');
  }

  /** Adds a statement to the function's managed policy. */
  public addToPolicy(statement: iam.PolicyStatement): void {
    this.policy.addStatements(statement);
  }
}
