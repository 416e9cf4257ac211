import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PlatformKeys } from '../../constructs/aws/keys';
import { AccountBaseline, SecurityAlarms } from '../../constructs/aws/observability';
import { BASELINE_CONFIG_RULES } from '../../constructs/aws/observability/account-baseline';
import { ALARMED_DENY_REASONS } from '../../lib/spec/contracts/metrics';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));

describe('SecurityAlarms in the primary region', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('Obs', 'eu-west-1'));
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const accessLogGroup = logs.LogGroup.fromLogGroupName(stack, 'Access', '/orders/api/orders-v1/access');
    new SecurityAlarms(stack, 'Alarms', { spec, topicKey: keys.logs, apis: [{ api: 'orders', version: 'v1', accessLogGroup }] });
    t = Template.fromStack(stack);
  });
  const alarm = (description: RegExp): Record<string, unknown> => {
    const found = Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a) => description.test(String(a.Properties.AlarmDescription)));
    expect(found).toHaveLength(1);
    return found[0].Properties as Record<string, unknown>;
  };

  test('all four packs are clean', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
  test('topic: KMS-encrypted, TLS-only, email subscriptions from the spec', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'orders-security-alarms', KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });
  test('every alarm notifies the topic on ALARM and OK', () => {
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toHaveLength(1);
      expect(a.Properties.OKActions).toHaveLength(1);
    }
  });
  test('401 and 403 spikes relative to traffic, from access-log metric filters', () => {
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: '/orders/api/orders-v1/access',
      FilterPattern: '{ $.status = "401" }',
      MetricTransformations: [{ MetricNamespace: 'SecureApiPlatform/Audit', MetricName: 'OrdersV1Status401', MetricValue: '1' }],
    });
    t.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = "403" }', MetricTransformations: [Match.objectLike({ MetricName: 'OrdersV1Status403' })] });
    const a401 = alarm(/^401 responses/);
    expect(a401.Threshold).toBe(20);
    expect(JSON.stringify(a401.Metrics)).toContain('IF(t >= 50, 100 * FILL(p, 0) / t, 0)');
    expect(JSON.stringify(a401.Metrics)).toContain('"MetricName":"Count"');
    expect(alarm(/^403 responses/).Threshold).toBe(20);
    expect(alarm(/^429 \(throttled\)/).Threshold).toBe(20);
  });
  test('5xx rate and p99 latency against the spec objective', () => {
    expect(alarm(/^5xx responses/).Threshold).toBe(1);
    const p99 = alarm(/^p99 latency/);
    expect(p99).toMatchObject({ Threshold: 800, ExtendedStatistic: 'p99', MetricName: 'Latency', Namespace: 'AWS/ApiGateway' });
  });
  test('WAF blocked spike relative to the web ACL traffic', () => {
    const waf = alarm(/^Requests blocked by orders-regional/);
    expect(waf.Threshold).toBe(30);
    expect(JSON.stringify(waf.Metrics)).toContain('BlockedRequests');
    expect(JSON.stringify(waf.Metrics)).toContain('AllowedRequests');
  });
  test('authorizer denies by reason, JWKS failures, throttles', () => {
    for (const reason of ALARMED_DENY_REASONS) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'SecureApiPlatform/Authorizer',
        MetricName: 'Decisions',
        Dimensions: [{ Name: 'Decision', Value: 'deny' }, { Name: 'Reason', Value: reason }],
        Threshold: 10,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'SecureApiPlatform/Authorizer', MetricName: 'JwksFetchFailure', Dimensions: Match.absent(), Threshold: 3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: 'orders-authorizer' }] });
  });
  test('CloudTrail tampering, delivery failures and silence (primary region)', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'SecureApiPlatform/Audit', MetricName: 'CloudTrailDeliveryFailure', Threshold: 1 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'SecureApiPlatform/Audit', MetricName: 'CloudTrailTampering' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IncomingLogEvents', Dimensions: [{ Name: 'LogGroupName', Value: '/orders/audit/cloudtrail' }], TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold',
    });
  });
  test('alarm logical ids are words from the spec, never from tokens', () => {
    const ids = Object.keys(t.findResources('AWS::CloudWatch::Alarm'));
    expect(ids.some((id) => /^AlarmsOrdersV1Unauthorized401Spike[0-9A-F]{8}$/.test(id))).toBe(true);
    for (const id of ids) expect(id).not.toMatch(/Token|TOKEN/);
  });
  test('a dashboard for the region', () => {
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-security-eu-west-1' });
  });
});

describe('SecurityAlarms in a secondary region, defaults', () => {
  test('no trail alarms; APIs from the spec', () => {
    const { stack } = testStack('ObsSecondary', 'eu-central-1');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    new SecurityAlarms(stack, 'Alarms', { spec, topicKey: keys.logs });
    const t = Template.fromStack(stack);
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).not.toContain('CloudTrail');
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: 'orders-orders-v1' }]) });
    t.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });
  test('validation', () => {
    const { stack } = testStack('ObsBad');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    expect(() => new SecurityAlarms(stack, 'A1', { spec, topicKey: keys.logs, authFailurePercent: 0 })).toThrow(/authFailurePercent must be a percentage in \(0, 100\] \(received: 0\)/);
    expect(() => new SecurityAlarms(stack, 'A2', { spec, topicKey: keys.logs, minimumRequests: 0 })).toThrow(/minimumRequests must be a positive integer \(received: 0\)/);
    expect(() => new SecurityAlarms(stack, 'A3', { spec, topicKey: keys.logs, denyReasonThreshold: 1.5 })).toThrow(/denyReasonThreshold must be a positive integer \(received: 1.5\)/);
  });
});

describe('AccountBaseline (opt-in)', () => {
  let stack: Stack;
  let t: Template;
  beforeAll(() => {
    ({ stack } = testStack('Baseline', 'eu-west-1'));
    const bucket = new s3.Bucket(stack, 'ConfigBucket');
    new AccountBaseline(stack, 'Baseline', { configDeliveryBucket: bucket });
    t = Template.fromStack(stack);
  });
  test('the baseline itself is clean under all four packs (the test\'s plain bucket aside)', () => {
    expect(nagFindings(stack).filter((f) => !f.includes('Baseline/ConfigBucket'))).toEqual([]);
  });
  test('GuardDuty, Security Hub with PCI DSS v4.0.1 and NIST 800-53 by computed ARNs', () => {
    t.hasResourceProperties('AWS::GuardDuty::Detector', { Enable: true });
    t.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
    t.hasResourceProperties('AWS::SecurityHub::Standard', { StandardsArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:eu-west-1::standards/pci-dss/v/4.0.1']] } });
    t.hasResourceProperties('AWS::SecurityHub::Standard', { StandardsArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:eu-west-1::standards/nist-800-53/v/5.0.0']] } });
  });
  test('Config recorder, delivery channel, managed rules; API Gateway logging role', () => {
    t.hasResourceProperties('AWS::Config::ConfigurationRecorder', { RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true } });
    t.resourceCountIs('AWS::Config::DeliveryChannel', 1);
    t.resourceCountIs('AWS::Config::ConfigRule', BASELINE_CONFIG_RULES.length);
    t.hasResourceProperties('AWS::Config::ConfigRule', { Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_DEFAULT_LOCK_ENABLED' } });
    t.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
  });
  test('nothing account-wide unless asked: every part can be turned off', () => {
    const { stack: s } = testStack('BaselineOff');
    new AccountBaseline(s, 'Baseline', { guardDuty: false, securityHub: false, configRules: false, apiGatewayLoggingRole: false });
    const t2 = Template.fromStack(s);
    for (const type of ['AWS::GuardDuty::Detector', 'AWS::SecurityHub::Hub', 'AWS::Config::ConfigRule', 'AWS::ApiGateway::Account']) t2.resourceCountIs(type, 0);
  });
  test('validation: a recorder without rules is refused', () => {
    const { stack: s } = testStack('BaselineBad');
    expect(() => new AccountBaseline(s, 'B', { configRules: false, configDeliveryBucket: new s3.Bucket(s, 'Bk') })).toThrow(/configDeliveryBucket was given but configRules is false/);
  });
});
