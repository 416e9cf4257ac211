import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CloudHsmKeyStore, OriginVerifySecret, PlatformKeys } from '../../constructs/aws/keys';
import { SecureApiPlatform } from '../../constructs/aws/platform';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('PlatformKeys + OriginVerifySecret in the primary region', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('Keys', 'eu-west-1'));
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    new OriginVerifySecret(stack, 'OriginVerify', { spec, encryptionKey: keys.secrets, logKey: keys.logs });
    t = Template.fromStack(stack);
  });

  test('all four packs are clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
  test('four multi-region keys with yearly rotation, retained, with computed aliases', () => {
    t.resourceCountIs('AWS::KMS::Key', 4);
    t.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365, MultiRegion: true, PendingWindowInDays: 30 });
    const keys = t.findResources('AWS::KMS::Key');
    for (const k of Object.values(keys)) expect(k.DeletionPolicy).toBe('Retain');
    for (const p of ['logs', 'data', 'audit', 'secrets']) t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/orders/${p}` });
    t.resourceCountIs('AWS::KMS::ReplicaKey', 0);
  });
  test('key policies grant only the services of each purpose', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      Description: 'orders logs key',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowCloudWatchLogs', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Condition: { ArnLike: Match.anyValue() } }),
          Match.objectLike({ Sid: 'AllowAlarmPublishers', Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      Description: 'orders audit key',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowCloudTrailEncrypt', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*' }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      Description: 'orders secrets key',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowPlatformViaSecretsManager',
            Condition: {
              StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com'] },
              ArnLike: {
                'aws:PrincipalArn': [
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/orders/*']] },
                  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/cdk-*-cfn-exec-role-111111111111-*']] },
                ],
              },
            },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      Description: 'orders data key',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowPlatformViaDataServices', Condition: { StringEquals: Match.objectLike({ 'kms:ViaService': ['dynamodb.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'] }) } }),
        ]),
      },
    });
  });
  test('origin-verify secret: computed name, KMS, replicas, 30-day rotation that starts at once', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders/edge/origin-verify',
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'current', PasswordLength: 48 }),
      ReplicaRegions: [{ Region: 'eu-central-1', KmsKeyId: 'alias/orders/secrets' }],
    });
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediatelyOnUpdate: true });
    t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'secretsmanager.amazonaws.com', SourceAccount: '111111111111' });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', ReservedConcurrentExecutions: 1 });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: spec.audit.logRetentionDays });
    // no inline policies and no GetRandomPassword on *
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('PlatformKeys in a secondary region', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('KeysSecondary', 'eu-central-1'));
    new PlatformKeys(stack, 'Keys', { spec });
    t = Template.fromStack(stack);
  });
  test('all four packs are clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
  test('replicas of the primary keys, looked up by alias in the primary region, with the same aliases', () => {
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.resourceCountIs('AWS::KMS::ReplicaKey', 4);
    t.hasResourceProperties('AWS::KMS::ReplicaKey', { PendingWindowInDays: 30, KeyPolicy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowPlatformViaSecretsManager' })]) }) });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders/audit' });
    t.hasResourceProperties('Custom::AWS', { Create: Match.stringLikeRegexp('"region":"eu-west-1".*alias/orders/logs|alias/orders/logs.*"region":"eu-west-1"') });
  });
});

describe('CloudHsmKeyStore (initialized, key requested)', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('Hsm', 'eu-west-1'));
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const secret = new secretsmanager.Secret(stack, 'KmsUser', { encryptionKey: keys.secrets });
    new CloudHsmKeyStore(stack, 'Hsm', { spec, logKey: keys.logs, initialization: { trustAnchorCertificate: PEM, kmsUserPasswordSecret: secret, createKey: true } });
    t = Template.fromStack(stack);
  });
  test('all four packs are clean (the test stack\'s own password secret aside)', () => {
    expect(nagFindings(stack).filter((f) => !f.includes('Hsm/KmsUser'))).toEqual([]);
  });
  test('FIPS cluster in isolated subnets, two HSMs, key store with hidden logging, HSM-backed key', () => {
    t.hasResourceProperties('AWS::CloudHSM::Cluster', { HsmType: 'hsm2m.medium', Mode: 'FIPS', SubnetIds: [Match.anyValue(), Match.anyValue()] });
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    const crs = Object.values(t.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties.Create));
    expect(crs.filter((c) => c.includes('createHsm'))).toHaveLength(2);
    expect(crs.some((c) => c.includes('createCustomKeyStore'))).toBe(true);
    expect(crs.some((c) => c.includes('AWS_CLOUDHSM'))).toBe(true);
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders/data-hsm' });
  });
  test('the HSM-backed key has the data key\'s policy: IAM administers it, only the platform\'s roles use it through DynamoDB and S3', () => {
    const create = Object.values(t.findResources('Custom::AWS')).map((r) => JSON.stringify(stack.resolve(r.Properties.Create))).find((c) => c.includes('AWS_CLOUDHSM'))!;
    expect(create).toContain('KeyAdministration');
    expect(create).toContain('AllowPlatformViaDataServices');
    expect(create).toContain('dynamodb.eu-west-1.amazonaws.com');
    expect(create).not.toMatch(/\\"Action\\":\\"kms:\*\\"/);
  });
});

describe('SecureApiPlatform with spec.keys.hsmBacked: the HSM-backed key encrypts the platform table\'s primary replica', () => {
  const hsmSpec = { ...fixtureSpec('aws'), keys: { hsmBacked: true } };
  const tableSse = (createKey: boolean) => {
    const app = new App({ context: { allowPlaceholders: 'true' } });
    const secretStack = new Stack(app, 'Secrets', { env: { account: '111111111111', region: 'eu-west-1' } });
    const secret = new secretsmanager.Secret(secretStack, 'KmsUser');
    const platform = new SecureApiPlatform(app, 'Orders', {
      spec: hsmSpec,
      account: '111111111111',
      backends: {
        orders: (scope) => new lambda.Function(scope, 'Fn', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler=async()=>({})'),
        }),
      },
      hsmInitialization: { trustAnchorCertificate: PEM, kmsUserPasswordSecret: secret, createKey },
    });
    const [table] = Object.values(Template.fromStack(platform.global).findResources('AWS::DynamoDB::GlobalTable'));
    return Object.fromEntries((table.Properties.Replicas as Array<{ Region: string; SSESpecification: { KMSMasterKeyId: unknown } }>)
      .map((r) => [r.Region, JSON.stringify(r.SSESpecification.KMSMasterKeyId)]));
  };

  test('once the key exists: the primary replica under alias/<platform>/data-hsm, the secondaries under their data key', () => {
    const sse = tableSse(true);
    expect(sse['eu-west-1']).toContain('alias/orders/data-hsm');
    expect(sse['eu-central-1']).toContain('alias/orders/data');
    expect(sse['eu-central-1']).not.toContain('data-hsm');
  });
  test('before the key exists (createKey off): the primary replica stays under the data key', () => {
    expect(tableSse(false)['eu-west-1']).not.toContain('data-hsm');
  });
});

describe('validation', () => {
  test('PlatformKeys refuses a region outside the spec', () => {
    const { stack } = testStack('Bad', 'us-west-2');
    expect(() => new PlatformKeys(stack, 'Keys', { spec })).toThrow(/region must be one of spec.regions \(received: us-west-2/);
  });
  test('PlatformKeys refuses an environment-agnostic stack', () => {
    const { app } = testStack('Unused');
    const stack = new Stack(app, 'Agnostic');
    expect(() => new PlatformKeys(stack, 'Keys', { spec })).toThrow(/region-specific stack/);
  });
  test('PlatformKeys refuses a rotation period KMS does not accept', () => {
    const { stack } = testStack('BadRot');
    expect(() => new PlatformKeys(stack, 'Keys', { spec, rotationPeriod: Duration.days(30) })).toThrow(/rotationPeriod must be between 90 and 2560 days \(received: 30 days\)/);
  });
  test('PlatformKeys refuses a pending window outside 7-30 days', () => {
    const { stack } = testStack('BadPending');
    expect(() => new PlatformKeys(stack, 'Keys', { spec, pendingWindow: Duration.days(3) })).toThrow(/pendingWindow must be between 7 and 30 days \(received: 3 days\)/);
  });
  test('OriginVerifySecret refuses a rotation interval above a year', () => {
    const { stack } = testStack('BadSecret');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new OriginVerifySecret(stack, 'S', { spec, encryptionKey: keys.secrets, logKey: keys.logs, rotationInterval: Duration.days(400) }))
      .toThrow(/rotationInterval must be between 1 and 365 days \(received: 400 days\)/);
  });
  test('OriginVerifySecret refuses its own region as a replica', () => {
    const { stack } = testStack('BadReplica');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new OriginVerifySecret(stack, 'S', { spec, encryptionKey: keys.secrets, logKey: keys.logs, replicaRegions: ['eu-west-1'] }))
      .toThrow(/replicaRegions must not contain the stack's own region/);
  });
  test('CloudHsmKeyStore refuses fewer than two HSMs and a trust anchor that is no PEM', () => {
    const { stack } = testStack('BadHsm');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new CloudHsmKeyStore(stack, 'H1', { spec, logKey: keys.logs, hsmCount: 1 })).toThrow(/hsmCount must be an integer from 2 to 28 \(received: 1\)/);
    const secret = new secretsmanager.Secret(stack, 'Pw');
    expect(() => new CloudHsmKeyStore(stack, 'H2', { spec, logKey: keys.logs, initialization: { trustAnchorCertificate: 'nope', kmsUserPasswordSecret: secret } }))
      .toThrow(/trustAnchorCertificate must be the PEM/);
  });
});
