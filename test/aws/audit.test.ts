import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuditArchive, AuditLogShipping, AuditTrail } from '../../constructs/aws/audit';
import { REDACTION_CODE } from '../../constructs/aws/audit/log-shipping';
import { PlatformKeys } from '../../constructs/aws/keys';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));

describe('audit in the primary region: archive, trail, log shipping', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('Audit', 'eu-west-1'));
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const archive = new AuditArchive(stack, 'Archive', { spec, encryptionKey: keys.audit });
    new AuditTrail(stack, 'Trail', { spec, bucket: archive.bucket, encryptionKey: keys.audit, logKey: keys.logs });
    new AuditLogShipping(stack, 'Shipping', {
      spec,
      archiveBucket: archive.bucket,
      archiveKey: keys.audit,
      logKey: keys.logs,
      sources: [{ logGroup: logs.LogGroup.fromLogGroupName(stack, 'Waf', 'aws-waf-logs-orders-regional'), source: 'waf' }],
    });
    t = Template.fromStack(stack);
  });

  test('all four packs are clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
  test('archive: Object Lock COMPLIANCE for 7 years, versioned, KMS, public access blocked, computed name, retained', () => {
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'orders-audit-111111111111-eu-west-1',
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 * 365 + 1 } } },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'archive/' },
      }),
    });
  });
  test('archive: TLS-only and deny-delete bucket policy', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'DenyDelete', Effect: 'Deny', Principal: { AWS: '*' }, Action: Match.arrayWith(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention']) }),
        ]),
      },
    });
  });
  test('archive: replicated to the secondary region\'s locked bucket by computed name, with its audit key alias', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Role: Match.anyValue(),
        Rules: [Match.objectLike({
          Status: 'Enabled',
          Destination: Match.objectLike({
            Bucket: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::orders-audit-111111111111-eu-central-1']] },
            EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-central-1:111111111111:alias/orders/audit']] } },
          }),
        })],
      },
    });
  });
  test('access-log bucket: separate, SSE-S3 (required by log delivery), written only by the logging service for the archive', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'orders-audit-logs-111111111111-eu-west-1', BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AllowArchiveAccessLogDelivery', Principal: { Service: 'logging.s3.amazonaws.com' } }),
        ]),
      },
    });
  });
  test('trail: multi-region, validated, KMS, CloudWatch Logs, data events by computed prefixes', () => {
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'orders-trail',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsOrganizationTrail: false,
      KMSKeyId: Match.anyValue(),
      S3KeyPrefix: 'cloudtrail',
      CloudWatchLogsLogGroupArn: Match.anyValue(),
      CloudWatchLogsRoleArn: Match.anyValue(),
      AdvancedEventSelectors: Match.arrayWith([
        Match.objectLike({ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }),
        Match.objectLike({ Name: 'Platform Lambda invocations' }),
        Match.objectLike({ Name: 'Audit archive reads and deletions' }),
      ]),
    });
    const trail = Object.values(t.findResources('AWS::CloudTrail::Trail'))[0];
    expect(trail.Properties.EventSelectors).toBeUndefined();
    expect(JSON.stringify(trail.Properties.AdvancedEventSelectors)).toContain(':lambda:eu-central-1:111111111111:function:orders-');
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/orders/audit/cloudtrail', KmsKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { MetricTransformations: [Match.objectLike({ MetricName: 'CloudTrailDeliveryFailure', MetricNamespace: 'SecureApiPlatform/Audit' })] });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { MetricTransformations: [Match.objectLike({ MetricName: 'CloudTrailTampering' })] });
  });
  test('log shipping: encrypted Firehose with the redaction processor into logs/, subscription from the WAF log group', () => {
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'orders-audit-logs',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: Match.anyValue() },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'logs/!{timestamp:yyyy/MM/dd}/',
        CompressionFormat: 'GZIP',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
        ProcessingConfiguration: { Enabled: true, Processors: [Match.objectLike({ Type: 'Lambda' })] },
      }),
    });
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: 'aws-waf-logs-orders-regional', FilterPattern: '' });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { REDACTION: Match.anyValue() } } });
  });
  test('nothing can delete from the archive: no role is granted s3:DeleteObject', () => {
    const text = JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy')) + JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(text).not.toMatch(/s3:DeleteObject/);
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('the redaction processor', () => {
  const mod: { exports: { handler?: (e: unknown) => Promise<{ records: { recordId: string; result: string; data: string }[] }> } } = { exports: {} };
  beforeAll(() => {
    const env = JSON.stringify({ groups: { '/access': 'apiAccess' }, paths: { apiAccess: ['ip', 'userAgent'], waf: ['httpRequest.headers[name=authorization].value'] } });
    vm.runInNewContext(REDACTION_CODE, { require, process: { env: { REDACTION: env } }, Buffer, exports: mod.exports, module: mod, JSON });
  });
  test('redacts the paths of the record\'s source, drops control messages', async () => {
    const access = { requestId: 'r1', ip: '203.0.113.9', userAgent: 'curl', status: '401' };
    const cwl = zlib.gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: '/access', logEvents: [{ message: JSON.stringify(access) }] })).toString('base64');
    const control = zlib.gzipSync(JSON.stringify({ messageType: 'CONTROL_MESSAGE', logEvents: [] })).toString('base64');
    const waf = Buffer.from(JSON.stringify({ httpRequest: { clientIp: '1.2.3.4', headers: [{ name: 'Authorization', value: 'Bearer x' }, { name: 'host', value: 'api' }] } })).toString('base64');
    const out = await mod.exports.handler!({ records: [{ recordId: 'a', data: cwl }, { recordId: 'b', data: control }, { recordId: 'c', data: waf }] });
    expect(out.records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'Ok']);
    const a = JSON.parse(Buffer.from(out.records[0].data, 'base64').toString());
    expect(a).toEqual({ requestId: 'r1', ip: '[REDACTED]', userAgent: '[REDACTED]', status: '401' });
    const c = JSON.parse(Buffer.from(out.records[2].data, 'base64').toString());
    expect(c.httpRequest.headers).toEqual([{ name: 'Authorization', value: '[REDACTED]' }, { name: 'host', value: 'api' }]);
  });
});

describe('audit demo mode and validation', () => {
  test('demo: GOVERNANCE, 1 day, no deny-delete, a warning', () => {
    const demo = resolveSpec({ ...fixtureSpec('aws'), audit: { demo: true } });
    const { stack } = testStack('Demo');
    const keys = new PlatformKeys(stack, 'Keys', { spec: demo });
    new AuditArchive(stack, 'Archive', { spec: demo, encryptionKey: keys.audit });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } });
    expect(JSON.stringify(t.findResources('AWS::S3::BucketPolicy'))).not.toContain('DenyDelete');
  });
  test('retention below the profiles\' minimum is refused', () => {
    const { stack } = testStack('Short');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new AuditArchive(stack, 'A', { spec, encryptionKey: keys.audit, retentionYears: 2 }))
      .toThrow(/retentionYears must be a whole number of years of at least 6.*\(received: 2\)/);
  });
  test('replication to the bucket\'s own region is refused', () => {
    const { stack } = testStack('Self');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new AuditArchive(stack, 'A', { spec, encryptionKey: keys.audit, replicationRegion: 'eu-west-1' })).toThrow(/replicationRegion must differ.*\(received: eu-west-1\)/);
  });
  test('the trail belongs in the primary region', () => {
    const { stack } = testStack('TrailSecondary', 'eu-central-1');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const archive = new AuditArchive(stack, 'A', { spec, encryptionKey: keys.audit });
    expect(() => new AuditTrail(stack, 'T', { spec, bucket: archive.bucket, encryptionKey: keys.audit, logKey: keys.logs }))
      .toThrow(/AuditTrail belongs in the primary region \(received a stack in eu-central-1/);
  });
  test('an environment-agnostic stack is refused', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const keys = new PlatformKeys(new Stack(new App(), 'K', { env: { region: 'eu-west-1' } }), 'Keys', { spec });
    expect(() => new AuditArchive(stack, 'A', { spec, encryptionKey: keys.audit })).toThrow(/AuditArchive needs a region-specific stack/);
  });
});
