import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { keyUseStatement } from '../common/key-grants';
import { PlatformFunction } from '../common/platform-function';
import { rotationSchedule } from '../common/rotation-schedule';

/**
 * Rotation handler of platform-generated secrets (four steps; the SDK v3 ships with the runtime). The new value
 * keeps the JSON shape `{ "<field>": "<random>" }`; the previous version stays readable as AWSPREVIOUS, so consumers
 * that retry with the previous value ride through a rotation.
 */
export const GENERATED_SECRET_ROTATION_CODE = `
const { SecretsManagerClient, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand, GetRandomPasswordCommand } = require('@aws-sdk/client-secrets-manager');
const sm = new SecretsManagerClient({});
const FIELD = process.env.SECRET_FIELD;
const LENGTH = Number(process.env.SECRET_LENGTH);
exports.handler = async (event) => {
  const { SecretId: id, ClientRequestToken: token, Step: step } = event;
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: id }));
  if (!meta.RotationEnabled) throw new Error('rotation is not enabled on the secret');
  const stages = (meta.VersionIdsToStages || {})[token];
  if (!stages) throw new Error('the version is not staged for rotation');
  if (stages.includes('AWSCURRENT')) return;
  if (!stages.includes('AWSPENDING')) throw new Error('the version is not AWSPENDING');
  if (step === 'createSecret') {
    try { await sm.send(new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' })); return; } catch (e) { if (e.name !== 'ResourceNotFoundException') throw e; }
    const pwd = await sm.send(new GetRandomPasswordCommand({ PasswordLength: LENGTH, ExcludePunctuation: true }));
    await sm.send(new PutSecretValueCommand({ SecretId: id, ClientRequestToken: token, SecretString: JSON.stringify({ [FIELD]: pwd.RandomPassword }), VersionStages: ['AWSPENDING'] }));
    return;
  }
  if (step === 'setSecret' || step === 'testSecret') {
    const pending = await sm.send(new GetSecretValueCommand({ SecretId: id, VersionId: token, VersionStage: 'AWSPENDING' }));
    const value = JSON.parse(pending.SecretString || '{}')[FIELD];
    if (typeof value !== 'string' || value.length < LENGTH) throw new Error('the pending value is malformed');
    return;
  }
  if (step === 'finishSecret') {
    const current = Object.entries(meta.VersionIdsToStages).find(([, s]) => s.includes('AWSCURRENT'));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: id, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current && current[0] }));
    return;
  }
  throw new Error('unknown rotation step');
};
`;

/** How a platform secret is rotated. */
export type SecretRotation =
  /** The platform generates the value (a shared secret it owns, e.g. between two of its components) and rotates it. */
  | { readonly kind: 'generated'; readonly field?: string; readonly length?: number }
  /**
   * A function of yours rotates it (e.g. a client secret issued by an external identity provider, rotated through
   * that provider's API). It must implement Secrets Manager's four rotation steps.
   */
  | { readonly kind: 'function'; readonly function: lambda.IFunction };

export interface PlatformSecretProps {
  readonly spec: ResolvedSpec;
  /** What the secret is for (its description and the reasons in the compliance report). */
  readonly purpose: string;
  /** Name in Secrets Manager, e.g. `orders/identity/corporate-client-secret`. */
  readonly secretName: string;
  /** Key that encrypts it (PlatformKeys.secrets). */
  readonly encryptionKey: kms.IKey;
  /** Key of the rotation function's log group (PlatformKeys.logs), for `generated` rotation. */
  readonly logKey: kms.IKey;
  /**
   * Rotation. `null` only with `noRotationReason`: the secret then shows in the compliance report as unrotated.
   * @default { kind: 'generated', field: 'value', length: 48 }
   */
  readonly rotation?: SecretRotation | null;
  /**
   * Days between rotations (1 to 365).
   * @default 30
   */
  readonly rotationDays?: number;
  /**
   * Why the secret cannot be rotated (required with `rotation: null`; an assessor reads it).
   * @default - none
   */
  readonly noRotationReason?: string;
  /**
   * Regions the secret is replicated to (each encrypted with the `alias/<platform>/secrets` key of that region).
   * @default - none
   */
  readonly replicaRegions?: string[];
}

/**
 * A Secrets Manager secret for client secrets and other credentials: encrypted with the platform's secrets key,
 * retained, rotated on a schedule (a platform-generated value by the built-in four-step function, or your own rotation
 * function for credentials an external party issues), optionally replicated. Grant reads with `grantRead`, which
 * names the secret and its key only.
 */
export class PlatformSecret extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly rotationFunction?: lambda.IFunction;
  public readonly rotationSchedule?: secretsmanager.CfnRotationSchedule;
  private rotationPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: PlatformSecretProps) {
    super(scope, id);
    const spec = props.spec;
    const days = props.rotationDays ?? 30;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw new PlatformValidationError(`rotationDays must be a whole number from 1 to 365 (received: ${days}); Secrets Manager schedules rotation in whole days up to a year`, this);
    }
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.secretName)) {
      throw new PlatformValidationError(`secretName must use letters, digits and / _ + = . @ - (received: ${JSON.stringify(props.secretName)}), e.g. "${spec.name}/identity/client-secret"`, this);
    }
    const rotation = props.rotation === undefined ? { kind: 'generated' as const } : props.rotation;
    if (rotation === null && (!props.noRotationReason || props.noRotationReason.trim().length < 30)) {
      throw new PlatformValidationError(`rotation: null needs noRotationReason, at least 30 characters an assessor would accept (received: ${JSON.stringify(props.noRotationReason)}); or rotate it with { kind: 'function', function }`, this);
    }
    const field = rotation?.kind === 'generated' ? rotation.field ?? 'value' : 'value';
    const length = rotation?.kind === 'generated' ? rotation.length ?? 48 : 48;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field)) {
      throw new PlatformValidationError(`rotation.field must be a JSON field name (received: ${JSON.stringify(field)})`, this);
    }
    if (!Number.isInteger(length) || length < 32 || length > 4096) {
      throw new PlatformValidationError(`rotation.length must be 32 to 4096 characters (received: ${length}); shorter values are guessable`, this);
    }

    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: props.secretName,
      description: `${spec.name}: ${props.purpose}`,
      encryptionKey: props.encryptionKey,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: field, passwordLength: length, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.replicaRegions && props.replicaRegions.length > 0) {
      (this.secret.node.defaultChild as secretsmanager.CfnSecret).replicaRegions = props.replicaRegions.map((r) => ({ region: r, kmsKeyId: `alias/${spec.name}/secrets` }));
    }

    if (rotation === null) {
      for (const rule of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'PCI.DSS.321-SecretsManagerRotationEnabled',
        'NIST.800.53.R5-SecretsManagerRotationEnabled', 'SecureApi-SecretRotation']) {
        acknowledge(this.secret, rule, props.noRotationReason!);
      }
      return;
    }

    let fn: lambda.IFunction;
    if (rotation.kind === 'generated') {
      const own = new PlatformFunction(this, 'RotationFunction', {
        purpose: `${spec.name} rotation of ${props.secretName}`,
        code: GENERATED_SECRET_ROTATION_CODE,
        logKey: props.logKey,
        logRetentionDays: spec.audit.logRetentionDays,
        reservedConcurrency: 1,
        timeout: Duration.seconds(30),
        environment: { SECRET_FIELD: field, SECRET_LENGTH: String(length) },
      });
      own.addToPolicy(new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [this.secret.secretArn],
      }));
      own.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }));
      acknowledge(own.policy, 'AwsSolutions-IAM5[Resource::*]', 'secretsmanager:GetRandomPassword acts on no resource and supports no resource-level permission; it only returns random bytes');
      own.addToPolicy(keyUseStatement(props.encryptionKey, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], own.policy, 'secretsmanager'));
      fn = own.function;
      this.rotationFunction = own.function;
      this.rotationPolicy = own.policy;
    } else {
      fn = rotation.function;
      this.rotationFunction = fn;
    }
    this.rotationSchedule = rotationSchedule(this, {
      secret: this.secret, rotationFunction: fn, days, rotateImmediately: false, dependsOn: this.rotationPolicy ? [this.rotationPolicy] : [],
    });
  }

  /** Lets `grantee` read the secret's value (and decrypt it with its key through Secrets Manager only). */
  public grantRead(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [this.secret.secretArn] }));
  }
}
