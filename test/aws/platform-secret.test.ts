import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GENERATED_SECRET_ROTATION_CODE, PlatformSecret, PlatformSecretProps } from '../../constructs/aws/keys/platform-secret';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));
const REASON = 'Issued by the partner IdP, which offers no rotation API; rotated by hand every 90 days under change ticket';

function build(extra: Partial<PlatformSecretProps> = {}, withStack?: (stack: import('aws-cdk-lib').Stack) => Partial<PlatformSecretProps>) {
  const { stack } = testStack();
  if (withStack) extra = { ...extra, ...withStack(stack) };
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const secret = new PlatformSecret(stack, 'Secret', {
    spec, purpose: 'client secret of the corporate IdP federation', secretName: 'orders/identity/corporate', encryptionKey: key, logKey: key, ...extra,
  });
  return { stack, secret, template: Template.fromStack(stack) };
}

describe('PlatformSecret', () => {
  const generated = build();

  test('a generated value: KMS-encrypted, retained, rotated every 30 days by the platform\'s four-step function', () => {
    generated.template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'orders/identity/corporate', KmsKeyId: Match.anyValue(), GenerateSecretString: Match.objectLike({ GenerateStringKey: 'value', PasswordLength: 48 }) },
      DeletionPolicy: 'Retain',
    });
    generated.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    generated.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Environment: { Variables: { SECRET_FIELD: 'value', SECRET_LENGTH: '48' } } });
    generated.template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'secretsmanager.amazonaws.com', SourceArn: Match.anyValue() });
    generated.template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('every compliance pack is clean', () => {
    expect(nagFindings(generated.stack)).toEqual([]);
  });

  test('a credential issued elsewhere is rotated by the caller\'s function', () => {
    const { template } = build({}, (stack) => ({ rotation: { kind: 'function', function: lambda.Function.fromFunctionArn(stack, 'F', 'arn:aws:lambda:eu-west-1:111111111111:function:idp-rotate') } }));
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationLambdaARN: 'arn:aws:lambda:eu-west-1:111111111111:function:idp-rotate' });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('no rotation only with a reason, which is recorded as the acknowledgment of every rotation rule', () => {
    const { stack, template } = build({ rotation: null, noRotationReason: REASON });
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    expect(nagFindings(stack)).toEqual([]);
    expect(() => build({ rotation: null })).toThrow(/rotation: null needs noRotationReason.*received: undefined/);
  });

  test.each<[string, Partial<PlatformSecretProps>, RegExp]>([
    ['rotation period', { rotationDays: 400 }, /rotationDays must be a whole number from 1 to 365 \(received: 400\)/],
    ['secret name', { secretName: 'bad name!' }, /secretName must use letters.*received: "bad name!"/],
    ['short value', { rotation: { kind: 'generated', length: 8 } }, /rotation.length must be 32 to 4096 characters \(received: 8\)/],
    ['field name', { rotation: { kind: 'generated', field: '1x' } }, /rotation.field must be a JSON field name \(received: "1x"\)/],
  ])('refuses a bad %s', (_n, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('rotationDays is the schedule', () => {
    build({ rotationDays: 7 }).template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    expect(Duration.days(7).toDays()).toBe(7);
  });
});

describe('the generated-secret rotation handler', () => {
  // A Secrets Manager stand-in holding versions and stages, as the service does.
  class FakeSecrets {
    // A version Secrets Manager has staged for rotation but not yet filled in has no value.
    versions = new Map<string, { value?: string; stages: string[] }>([['v1', { value: JSON.stringify({ value: 'old-value-0123456789012345678901234567890123456' }), stages: ['AWSCURRENT'] }]]);
    async send(cmd: { name: string; input: Record<string, unknown> }): Promise<unknown> {
      const i = cmd.input;
      switch (cmd.name) {
        case 'DescribeSecret':
          return { RotationEnabled: true, VersionIdsToStages: Object.fromEntries([...this.versions].map(([k, v]) => [k, v.stages])) };
        case 'GetSecretValue': {
          const v = this.versions.get(i.VersionId as string);
          if (!v || v.value === undefined || !v.stages.includes(i.VersionStage as string)) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
          return { SecretString: v.value };
        }
        case 'GetRandomPassword':
          return { RandomPassword: 'n'.repeat(i.PasswordLength as number) };
        case 'PutSecretValue':
          this.versions.set(i.ClientRequestToken as string, { value: i.SecretString as string, stages: i.VersionStages as string[] });
          return {};
        case 'UpdateSecretVersionStage':
          for (const [k, v] of this.versions) {
            if (k === i.RemoveFromVersionId) v.stages = v.stages.filter((s) => s !== 'AWSCURRENT').concat('AWSPREVIOUS');
            if (k === i.MoveToVersionId) v.stages = v.stages.filter((s) => s !== 'AWSPENDING').concat('AWSCURRENT');
          }
          return {};
        default:
          throw new Error(`unexpected ${cmd.name}`);
      }
    }
  }

  function load(fake: FakeSecrets): (event: Record<string, string>) => Promise<void> {
    const command = (name: string) => class { name = name; constructor(public input: Record<string, unknown>) {} };
    const sdk = {
      SecretsManagerClient: class { send = (c: never) => fake.send(c); },
      DescribeSecretCommand: command('DescribeSecret'),
      GetSecretValueCommand: command('GetSecretValue'),
      PutSecretValueCommand: command('PutSecretValue'),
      UpdateSecretVersionStageCommand: command('UpdateSecretVersionStage'),
      GetRandomPasswordCommand: command('GetRandomPassword'),
    };
    const module = { exports: {} as { handler?: (e: Record<string, string>) => Promise<void> } };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the exact source the function deploys, with a fake SDK
    new Function('require', 'process', 'exports', 'module', GENERATED_SECRET_ROTATION_CODE)(
      () => sdk, { env: { SECRET_FIELD: 'value', SECRET_LENGTH: '48' } }, module.exports, module);
    return module.exports.handler!;
  }

  test('the four steps make a new 48-character value current and keep the old one as previous', async () => {
    const fake = new FakeSecrets();
    fake.versions.set('v2', { stages: ['AWSPENDING'] });
    const handler = load(fake);
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await handler({ SecretId: 's', ClientRequestToken: 'v2', Step });
    expect(JSON.parse(fake.versions.get('v2')!.value!)).toEqual({ value: 'n'.repeat(48) });
    expect(fake.versions.get('v2')!.stages).toContain('AWSCURRENT');
    expect(fake.versions.get('v1')!.stages).toEqual(['AWSPREVIOUS']);
  });

  test('a version that is not pending is refused', async () => {
    const fake = new FakeSecrets();
    await expect(load(fake)({ SecretId: 's', ClientRequestToken: 'unknown', Step: 'createSecret' })).rejects.toThrow(/not staged for rotation/);
  });
});
