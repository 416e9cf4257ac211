import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';

export interface RotationScheduleOptions {
  readonly secret: secretsmanager.ISecret;
  readonly rotationFunction: lambda.IFunction;
  /** Days between rotations. */
  readonly days: number;
  /** Rotate as soon as the schedule is created or changed. */
  readonly rotateImmediately: boolean;
  /** Constructs the schedule waits for (e.g. the function's policy, so the first rotation has its permissions). */
  readonly dependsOn?: IConstruct[];
}

/**
 * A Secrets Manager rotation schedule with the invoke permission scoped to the one secret and account, both as L1
 * resources: the L2 `addRotationSchedule` adds an inline policy (IAMNoInlinePolicy in every pack) and grants
 * GetRandomPassword on `*` to functions that do not need it.
 */
export function rotationSchedule(scope: Construct, options: RotationScheduleOptions): secretsmanager.CfnRotationSchedule {
  const invoke = new lambda.CfnPermission(scope, 'RotationInvoke', {
    action: 'lambda:InvokeFunction',
    functionName: options.rotationFunction.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceArn: options.secret.secretArn,
    sourceAccount: Stack.of(scope).account,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(scope, 'RotationSchedule', {
    secretId: options.secret.secretArn,
    rotationLambdaArn: options.rotationFunction.functionArn,
    rotationRules: { scheduleExpression: `rate(${options.days} ${options.days === 1 ? 'day' : 'days'})` },
    rotateImmediatelyOnUpdate: options.rotateImmediately,
  });
  schedule.addResourceDependency(invoke);
  for (const d of options.dependsOn ?? []) schedule.node.addDependency(d);
  return schedule;
}
