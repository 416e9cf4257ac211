import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { keyUseStatement } from '../common/key-grants';
import { PlatformNames } from '../common/names';
import { PlatformFunction } from '../common/platform-function';
import { KeyPurpose } from '../common/security-names';

/**
 * Secrets Manager rotation handler of the origin-verify secret (four steps; the SDK v3 ships with the runtime).
 * A new `current` is drawn from the CSPRNG (256 bits); the old `current` becomes `previous`, so requests signed with
 * either value pass while CloudFront and the WAF rules pick up the new one.
 */
export const ORIGIN_VERIFY_ROTATION_CODE = `
const { SecretsManagerClient, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } = require('@aws-sdk/client-secrets-manager');
const { randomBytes } = require('node:crypto');
const sm = new SecretsManagerClient({});
const value = async (SecretId, opts) => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId, ...opts }))).SecretString);
exports.handler = async (event) => {
  const { SecretId, ClientRequestToken: token, Step: step } = event;
  const meta = await sm.send(new DescribeSecretCommand({ SecretId }));
  const stages = (meta.VersionIdsToStages || {})[token];
  if (!stages) throw new Error('version ' + token + ' is not a version of the secret');
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) throw new Error('version ' + token + ' is not pending');
  if (step === 'createSecret') {
    const cur = await value(SecretId, { VersionStage: 'AWSCURRENT' });
    try { await value(SecretId, { VersionId: token, VersionStage: 'AWSPENDING' }); return; } catch (e) { if (e.name !== 'ResourceNotFoundException') throw e; }
    const next = { current: randomBytes(32).toString('base64url'), previous: cur.current };
    await sm.send(new PutSecretValueCommand({ SecretId, ClientRequestToken: token, SecretString: JSON.stringify(next), VersionStages: ['AWSPENDING'] }));
  } else if (step === 'setSecret') {
    // Consumers read the secret (current and previous) themselves: nothing to push.
  } else if (step === 'testSecret') {
    const p = await value(SecretId, { VersionId: token, VersionStage: 'AWSPENDING' });
    if (typeof p.current !== 'string' || p.current.length < 32 || typeof p.previous !== 'string' || p.previous === p.current) throw new Error('pending value is malformed');
  } else if (step === 'finishSecret') {
    const current = Object.keys(meta.VersionIdsToStages).find((v) => meta.VersionIdsToStages[v].includes('AWSCURRENT'));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  } else {
    throw new Error('unknown rotation step ' + step);
  }
};
`;

export interface OriginVerifySecretProps {
  /** The resolved platform spec (name, regions, log retention). */
  readonly spec: ResolvedSpec;
  /** Key that encrypts the secret in this region (PlatformKeys.secrets, or `PlatformKeys.fromLookup` in another stack). */
  readonly encryptionKey: kms.IKey;
  /** Key that encrypts the rotation function's log group (PlatformKeys.logs). */
  readonly logKey: kms.IKey;
  /**
   * How often the value rotates (1 to 365 days).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;
  /**
   * Regions the secret is replicated to (each replica is encrypted with `alias/<platform>/secrets` of its region,
   * so PlatformKeys must be deployed there first).
   * @default - every spec region other than this stack's
   */
  readonly replicaRegions?: string[];
}

/**
 * The shared secret CloudFront sends to the regional APIs in the origin-verify header (`x-origin-verify`) and the
 * regional WAF requires, so the edge cannot be bypassed. Named `<platform>/edge/origin-verify` in every region.
 *
 * Value (JSON): `{ "current": string, "previous": string }`. Senders use `current`; receivers accept `current` or
 * `previous`, so a rotation never rejects requests in flight. The first value has only `current`; the rotation that
 * runs when the schedule is created (immediately) adds `previous`. Rotation every 30 days by a function that draws
 * 256 random bits; KMS-encrypted with the platform secrets key; replicated to the other regions; retained on deletion.
 */
export class OriginVerifySecret extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly rotationFunction: PlatformFunction;
  public readonly rotationSchedule: secretsmanager.CfnRotationSchedule;
  /** The secret's name, the same in every region. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps) {
    super(scope, id);
    const spec = props.spec;
    const region = Stack.of(this).region;
    const days = props.rotationInterval?.toDays() ?? 30;
    if (days < 1 || days > 365) {
      throw new PlatformValidationError(`rotationInterval must be between 1 and 365 days (received: ${days} days); Secrets Manager schedules rotation in whole days up to a year`, this);
    }
    const replicaRegions = props.replicaRegions ?? spec.regions.filter((r) => Token.isUnresolved(region) || r !== region);
    if (!Token.isUnresolved(region) && replicaRegions.includes(region)) {
      throw new PlatformValidationError(`replicaRegions must not contain the stack's own region (received: ${replicaRegions.join(', ')}; stack region ${region}); remove ${region}`, this);
    }
    const key = props.encryptionKey;
    const logKey = props.logKey;
    this.secretName = PlatformNames.originVerifySecret(spec);

    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: this.secretName,
      description: `${spec.name}: origin-verify header value, JSON { current, previous }`,
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (replicaRegions.length > 0) {
      (this.secret.node.defaultChild as secretsmanager.CfnSecret).replicaRegions = replicaRegions.map((r) => ({
        region: r,
        kmsKeyId: `alias/${spec.name}/${KeyPurpose.SECRETS}`,
      }));
    }

    this.rotationFunction = new PlatformFunction(this, 'RotationFunction', {
      purpose: `${spec.name} origin-verify secret rotation`,
      code: ORIGIN_VERIFY_ROTATION_CODE,
      logKey,
      logRetentionDays: spec.audit.logRetentionDays,
      reservedConcurrency: 1,
    });
    const fn = this.rotationFunction.function;
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      resources: [this.secret.secretArn],
    }));
    this.rotationFunction.addToPolicy(keyUseStatement(key, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], this.rotationFunction.policy, 'secretsmanager'));
    // L1 schedule: the L2 one would grant the function through an inline policy (IAMNoInlinePolicy) and GetRandomPassword on `*`.
    const invoke = new lambda.CfnPermission(this, 'RotationInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: this.secret.secretArn,
      sourceAccount: Stack.of(this).account,
    });
    this.rotationSchedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: fn.functionArn,
      rotationRules: { scheduleExpression: `rate(${days} ${days === 1 ? 'day' : 'days'})` },
      rotateImmediatelyOnUpdate: true,
    });
    this.rotationSchedule.addResourceDependency(invoke);
    this.rotationSchedule.node.addDependency(this.rotationFunction.policy);
  }

  /** Lets `grantee` read the secret (e.g. the edge stack's deploy role or a custom resource that refreshes headers). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
