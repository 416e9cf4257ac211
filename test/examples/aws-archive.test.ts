// Archive completeness and redaction: every security log source of the synthesized example platform is subscribed to
// an archive stream, and the REAL redaction code, configured exactly as the template configures it, removes every
// configured sensitive value from records in AWS's documented formats.
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { PlatformKeys } from '../../constructs/aws';
import { AuditArchive, AuditLogShipping } from '../../constructs/aws/audit';
import { REDACTION_CODE } from '../../constructs/aws/audit/log-shipping';
import { buildExampleApp, exampleAppProps } from '../../examples/aws/app';
import { DecisionLog } from '../../lib/authorizer/observability';
import { resolveSpec } from '../../lib/spec';
import { ACCESS_LOG_FIELDS, ALWAYS_REDACTED_PATHS, LOG_SOURCES } from '../../lib/spec/contracts/logs';
import { fixtureSpec } from '../fixtures/platform-spec';
import { testStack } from '../support/nag';

type Json = Record<string, any>;
let templates: Record<string, Json>;

beforeAll(() => {
  const app = new App({ ...exampleAppProps(), context: { allowPlaceholders: 'true' } });
  buildExampleApp(app);
  templates = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, s.template as Json]));
}, 300_000);

/** A template value as deployed: intrinsics resolved to plausible names (a log group's Ref to its name). */
function resolve(t: Json, v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Json;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map((x) => resolve(t, x)).join(o['Fn::Join'][0]);
  if (o.Ref === 'AWS::AccountId') return '111111111111';
  if (o.Ref === 'AWS::Region') return 'eu-west-1';
  if (o.Ref === 'AWS::Partition') return 'aws';
  if (o.Ref) {
    const r = t.Resources[o.Ref];
    return r?.Type === 'AWS::Logs::LogGroup' && typeof r.Properties?.LogGroupName === 'string' ? r.Properties.LogGroupName : `/synthesized/${o.Ref}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(v)}`);
}

/** The log groups subscribed to the archive stream of a stack, by source kind (from the function's REDACTION env). */
function subscribed(stack: string): { bySource: Record<string, string[]>; env: string; filters: Json[] } {
  const t = templates[stack];
  const fn = Object.values<Json>(t.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.REDACTION)!;
  const env = resolve(t, fn.Properties.Environment.Variables.REDACTION);
  const groups = JSON.parse(env).groups as Record<string, string>;
  const bySource: Record<string, string[]> = {};
  for (const [g, s] of Object.entries(groups)) (bySource[s] ??= []).push(g);
  const filters = Object.values<Json>(t.Resources).filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter');
  // Each subscribed group is known to the redaction function (else it would redact with the union of every source).
  expect(filters.map((f) => resolve(t, f.Properties.LogGroupName)).sort()).toEqual(Object.keys(groups).sort());
  return { bySource, env, filters };
}

describe('archive completeness', () => {
  test.each(['eu-west-1', 'eu-central-1'])('%s: access logs, regional WAF, authorizer decisions and backend logs reach the archive stream', (region) => {
    const { bySource, filters } = subscribed(`Orders-Region-${region}`);
    expect(Object.keys(bySource).sort()).toEqual(['apiAccess', 'authorizer', 'backend', 'waf']);
    expect(bySource.waf).toEqual(['aws-waf-logs-orders-regional']);
    const [streamId, stream] = Object.entries<Json>(templates[`Orders-Region-${region}`].Resources).find(([, r]) => r.Type === 'AWS::KinesisFirehose::DeliveryStream')!;
    for (const f of filters) expect(f.Properties.DestinationArn).toEqual({ 'Fn::GetAtt': [streamId, 'Arn'] });
    expect(stream.Properties.DeliveryStreamName).toBe('orders-audit-logs');
    expect(JSON.stringify(stream.Properties.ExtendedS3DestinationConfiguration.BucketARN)).toContain('orders-audit-');
  });

  test('us-east-1: CloudFront access logs and the CLOUDFRONT web ACL logs reach the us-east-1 archive', () => {
    const { bySource } = subscribed('Orders-Edge');
    expect(bySource).toEqual({ waf: ['aws-waf-logs-orders-cloudfront'], cloudfront: [expect.stringMatching(/AccessLogs/)] });
    const stream = Object.values<Json>(templates['Orders-Edge'].Resources).find((r) => r.Type === 'AWS::KinesisFirehose::DeliveryStream')!;
    expect(stream.Properties.DeliveryStreamName).toBe('orders-edge-audit-logs');
    expect(resolve(templates['Orders-Edge'], stream.Properties.ExtendedS3DestinationConfiguration.BucketARN)).toBe('arn:aws:s3:::orders-audit-111111111111-us-east-1');
    // The archive itself: WORM, in us-east-1, by that name.
    const bucket = Object.values<Json>(templates['Orders-EdgeKeys'].Resources)
      .find((r) => r.Type === 'AWS::S3::Bucket' && resolve(templates['Orders-EdgeKeys'], r.Properties.BucketName) === 'orders-audit-111111111111-us-east-1')!;
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
  });
});

// ---- redaction, through the real code, configured as synthesized ----

const IP = '203.0.113.7';
const UA = 'Mozilla/5.0 (SecretAgent 9.1)';
const SECRETS = ['eyJhbGciOiJSUzI1NiJ9.secret-token', 'ak_live_secret_0123456789', 'querysecret', 'cookiesecret', 'matchedsecret', 'cardsecret'];

/** The values no archived record may contain: the sensitive fields' values and credentials. */
const forbidden = [IP, UA, encodeURIComponent(UA), '10.0.0.1', ...SECRETS];

function loadRedaction(env: string): { handler: (e: unknown) => Promise<{ records: Array<{ recordId: string; result: string; data: string }> }> } {
  const mod: { exports: Json } = { exports: {} };
  vm.runInNewContext(REDACTION_CODE, { require, process: { env: { REDACTION: env } }, Buffer, exports: mod.exports, module: mod, JSON });
  return mod.exports as never;
}

async function archived(env: string, logGroup: string, message: string): Promise<string> {
  const data = zlib.gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '111111111111', logGroup, logStream: 's', subscriptionFilters: ['f'], logEvents: [{ id: '1', timestamp: 1, message }] }));
  const out = await loadRedaction(env).handler({ records: [{ recordId: 'r', data: data.toString('base64') }] });
  expect(out.records[0].result).toBe('Ok');
  return Buffer.from(out.records[0].data, 'base64').toString('utf8');
}

function expectClean(text: string): void {
  for (const v of forbidden) expect(`${v}: ${text.includes(v)}`).toBe(`${v}: false`);
}

/** An API Gateway access-log line as the stage's format renders it. */
function accessLine(format: string): string {
  const values: Record<string, string> = {
    '$context.identity.sourceIp': IP,
    '$context.identity.userAgent': UA,
    '$context.status': '401',
    '$context.requestId': 'req-1',
    '$context.httpMethod': 'GET',
    '$context.resourcePath': '/orders/{id}',
  };
  return format.replace(/\$context\.[A-Za-z0-9_.]+/g, (v) => (values[v] ?? '-').replace(/"/g, '\\"'));
}

/** A WAF log record (AWS WAF Developer Guide, "Log examples"), with headers, args, rule matches and a custom-key rate rule. */
const WAF_RECORD = {
  timestamp: 1764583200000,
  formatVersion: 1,
  webaclId: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/orders-regional/1b2c3d4e',
  terminatingRuleId: 'AWS-AWSManagedRulesSQLiRuleSet',
  terminatingRuleType: 'MANAGED_RULE_GROUP',
  action: 'BLOCK',
  terminatingRuleMatchDetails: [{ conditionType: 'SQL_INJECTION', sensitivityLevel: 'HIGH', location: 'QUERY_STRING', matchedData: ['matchedsecret', 'or', '1=1'] }],
  httpSourceName: 'APIGW',
  httpSourceId: '111111111111:abcdef1234:v1',
  ruleGroupList: [{
    ruleGroupId: 'AWS#AWSManagedRulesSQLiRuleSet',
    terminatingRule: { ruleId: 'SQLi_QUERYARGUMENTS', action: 'BLOCK', ruleMatchDetails: [{ conditionType: 'SQL_INJECTION', location: 'QUERY_STRING', matchedData: ['matchedsecret'] }] },
    nonTerminatingMatchingRules: [{ ruleId: 'count', action: 'COUNT', ruleMatchDetails: [{ matchedData: ['matchedsecret'] }] }],
    excludedRules: null,
  }],
  rateBasedRuleList: [
    { rateBasedRuleId: 'r1', rateBasedRuleName: 'PerApiKey', limitKey: 'CUSTOMKEYS', maxRateAllowed: 300, evaluationWindowSec: 300, customValues: [{ key: 'HEADER', name: 'x-api-key', value: SECRETS[1] }] },
    { rateBasedRuleId: 'r2', rateBasedRuleName: 'PerIp', limitKey: 'IP', maxRateAllowed: 1000, evaluationWindowSec: 300, limitValue: IP },
  ],
  nonTerminatingMatchingRules: [{ ruleId: 'probe', action: 'COUNT', ruleMatchDetails: [{ conditionType: 'XSS', location: 'HEADER', matchedData: ['matchedsecret'] }] }],
  requestHeadersInserted: null,
  responseCodeSent: null,
  httpRequest: {
    clientIp: IP,
    country: 'FR',
    headers: [
      { name: 'Host', value: 'api.example.com' },
      { name: 'User-Agent', value: UA },
      { name: 'X-Forwarded-For', value: `${IP}, 10.0.0.1` },
      { name: 'authorization', value: `Bearer ${SECRETS[0]}` },
      { name: 'X-Api-Key', value: SECRETS[1] },
      { name: 'Cookie', value: `session=${SECRETS[3]}` },
    ],
    uri: '/v1/orders',
    args: `id=1%20or%201=1&token=${SECRETS[2]}`,
    httpVersion: 'HTTP/1.1',
    httpMethod: 'GET',
    requestId: 'waf-req-1',
  },
  labels: [{ name: 'awswaf:managed:aws:sql-database:SQLi_QueryArguments' }],
};

/** A CloudFront standard logging v2 record in JSON (field names of the CloudFront Developer Guide; values URL-encoded). */
const CLOUDFRONT_RECORD = {
  'date': '2026-12-01',
  'time': '10:00:00',
  'x-edge-location': 'CDG50-C1',
  'sc-bytes': '512',
  'c-ip': IP,
  'cs-method': 'GET',
  'cs(Host)': 'd111111abcdef8.cloudfront.net',
  'cs-uri-stem': '/v1/orders',
  'sc-status': '401',
  'cs(Referer)': '-',
  'cs(User-Agent)': encodeURIComponent(UA),
  'cs-uri-query': `token=${SECRETS[2]}`,
  'cs(Cookie)': `session=${SECRETS[3]}`,
  'x-edge-result-type': 'Error',
  'x-edge-request-id': 'abc==',
  'x-host-header': 'api.example.com',
  'cs-protocol': 'https',
  'cs-bytes': '300',
  'time-taken': '0.002',
  'x-forwarded-for': '10.0.0.1',
  'ssl-protocol': 'TLSv1.3',
  'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
  'x-edge-response-result-type': 'Error',
  'cs-protocol-version': 'HTTP/2.0',
};

/** A backend's JSON line logging its API Gateway proxy event (Powertools logger `logEvent`). */
const BACKEND_RECORD = {
  level: 'INFO',
  message: 'Lambda invocation event',
  service: 'orders',
  timestamp: '2026-12-01T10:00:00.000Z',
  event: {
    resource: '/orders/{id}',
    path: '/v1/orders/1',
    httpMethod: 'GET',
    headers: { 'Authorization': `Bearer ${SECRETS[0]}`, 'User-Agent': UA, 'X-Forwarded-For': `${IP}, 10.0.0.1`, 'x-api-key': SECRETS[1], 'Cookie': `s=${SECRETS[3]}` },
    multiValueHeaders: { 'Authorization': [`Bearer ${SECRETS[0]}`], 'User-Agent': [UA], 'X-Forwarded-For': [`${IP}, 10.0.0.1`] },
    queryStringParameters: { token: SECRETS[2] },
    multiValueQueryStringParameters: { token: [SECRETS[2]] },
    requestContext: { identity: { sourceIp: IP, userAgent: UA }, authorizer: { tenantId: 'acme', principalId: 'p-1' } },
    body: JSON.stringify({ card: SECRETS[5] }),
  },
};

describe('redaction of each source, through the real transformation code as synthesized', () => {
  let env: string;
  let groups: Record<string, string[]>;
  let edgeEnv: string;
  let edgeGroups: Record<string, string[]>;
  beforeAll(() => {
    ({ env, bySource: groups } = subscribed('Orders-Region-eu-west-1'));
    ({ env: edgeEnv, bySource: edgeGroups } = subscribed('Orders-Edge'));
  });

  test('an API Gateway access-log line as the stage renders it', async () => {
    const stage = Object.values<Json>(templates['Orders-Region-eu-west-1'].Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!;
    const line = accessLine(stage.Properties.AccessLogSetting.Format);
    expect(JSON.parse(line).ip).toBe(IP);
    const out = await archived(env, groups.apiAccess[0], line);
    expectClean(out);
    expect(JSON.parse(out)).toMatchObject({ status: '401', requestId: 'req-1', ip: '[REDACTED]', userAgent: '[REDACTED]' });
    expect(Object.keys(JSON.parse(out))).toEqual(Object.keys(ACCESS_LOG_FIELDS));
  });

  test.each([['regional', () => [env, groups.waf[0]]], ['CLOUDFRONT', () => [edgeEnv, edgeGroups.waf[0]]]])('a %s WAF log with headers, args, rule matches and rate keys', async (_scope, where) => {
    const [e, g] = where();
    const out = await archived(e, g, JSON.stringify(WAF_RECORD));
    expectClean(out);
    const o = JSON.parse(out);
    expect(o.httpRequest.clientIp).toBe('[REDACTED]');
    expect(o.httpRequest.args).toBe('[REDACTED]');
    expect(o.terminatingRuleMatchDetails[0]).toMatchObject({ conditionType: 'SQL_INJECTION', location: 'QUERY_STRING', matchedData: '[REDACTED]' });
    expect(o.httpRequest.headers[0]).toEqual({ name: 'Host', value: 'api.example.com' });
    expect(o.webaclId).toBe(WAF_RECORD.webaclId);
  });

  test('a CloudFront standard log v2 record', async () => {
    const out = await archived(edgeEnv, edgeGroups.cloudfront[0], JSON.stringify(CLOUDFRONT_RECORD));
    expectClean(out);
    expect(JSON.parse(out)).toMatchObject({ 'sc-status': '401', 'cs-uri-stem': '/v1/orders' });
  });

  test('an authorizer decision line, written by the real DecisionLog', async () => {
    const lines: string[] = [];
    new DecisionLog('SecureApiPlatform/Authorizer', (l) => lines.push(l)).decision({
      decision: 'deny', status: 401, reason: 'bad_signature', latencyMs: 0.2, requestId: 'req-1', route: 'GET /orders/{id}', tenant: 'acme', principal: '0123456789abcdef',
    });
    const out = await archived(env, groups.authorizer[0], lines[0]);
    expectClean(out);
    // The EMF members survive: the archive keeps the decision.
    expect(JSON.parse(out)).toMatchObject({ Decision: 'deny', Reason: 'bad_signature', tenant: 'acme' });
  });

  test('a backend line that logs its proxy event', async () => {
    const out = await archived(env, groups.backend[0], JSON.stringify(BACKEND_RECORD));
    expectClean(out);
    expect(JSON.parse(out).event.requestContext.authorizer.tenantId).toBe('acme');
  });

  test('a record of an unknown log group, or a raw line, loses the paths of every source', async () => {
    expectClean(await archived(env, '/some/other/group', JSON.stringify(WAF_RECORD)));
    const raw = Buffer.from(`${JSON.stringify(CLOUDFRONT_RECORD)}\n${JSON.stringify(BACKEND_RECORD)}\n`).toString('base64');
    const out = await loadRedaction(env).handler({ records: [{ recordId: 'r', data: raw }] });
    expectClean(Buffer.from(out.records[0].data, 'base64').toString());
  });

  test('a line that is not JSON is archived without its content', async () => {
    expect(JSON.parse(await archived(env, groups.backend[0], `START RequestId: 1 ${IP}`))).toEqual({ unparsed: true, length: `START RequestId: 1 ${IP}`.length });
  });
});

describe('sensitive fields must be mapped for every source', () => {
  const shipping = (audit: Json, extra?: Json) => {
    const spec = resolveSpec({ ...fixtureSpec('aws'), audit: { ...fixtureSpec('aws').audit, ...audit } });
    const { stack } = testStack('Redaction');
    const keys = new PlatformKeys(stack, 'Keys', { spec });
    const archive = new AuditArchive(stack, 'A', { spec, encryptionKey: keys.audit });
    return new AuditLogShipping(stack, 'S', { spec, archiveBucket: archive.bucket, archiveKey: keys.audit, logKey: keys.logs, additionalRedactions: extra });
  };

  test('a field the platform does not map is an error at synth naming the field and the sources', () => {
    expect(() => shipping({ sensitiveFields: ['ip', 'email'] }))
      .toThrow(/spec\.audit\.sensitiveFields: sensitive field "email" has no field path for log source\(s\) apiAccess, authorizer, backend, waf, cloudfront/);
  });

  test('a partial mapping names the sources still missing', () => {
    expect(() => shipping({ sensitiveFields: ['email'] }, { email: { backend: ['event.body.email'], apiAccess: [] } }))
      .toThrow(/"email" has no field path for log source\(s\) authorizer, waf, cloudfront/);
  });

  test('a field mapped for every source is redacted where mapped', () => {
    const s = shipping({ sensitiveFields: ['email'] }, { email: { backend: ['event.body.email'], apiAccess: [], authorizer: [], waf: [], cloudfront: [] } });
    expect(s.redaction.backend).toContain('event.body.email');
    // Credentials stay redacted whatever the spec lists.
    for (const source of LOG_SOURCES) expect(s.redaction[source]).toEqual(expect.arrayContaining([...ALWAYS_REDACTED_PATHS[source]]));
  });

  test('malformed paths are refused', () => {
    expect(() => shipping({}, { ip: { backend: ['a b'] } })).toThrow(/additionalRedactions paths must be field paths.*\(received: "a b"\)/);
  });
});

describe('the trail records data events of the real resources', () => {
  const regionOf: Record<string, string> = { 'Orders-Region-eu-west-1': 'eu-west-1', 'Orders-Region-eu-central-1': 'eu-central-1', 'Orders-Edge': 'us-east-1' };
  let selectors: Json[];
  beforeAll(() => {
    const trail = Object.values<Json>(templates['Orders-Global'].Resources).find((r) => r.Type === 'AWS::CloudTrail::Trail')!;
    selectors = trail.Properties.AdvancedEventSelectors;
  });
  const field = (name: string, f: string): Json => selectors.find((s) => s.Name === name)!.FieldSelectors.find((x: Json) => x.Field === f);
  const arns = (values: unknown[]) => values.map((v) => resolve(templates['Orders-Global'], v));

  test('every function of the regional and edge stacks is selected by its exact ARN, and every selected ARN is a function', () => {
    const all = Object.entries(regionOf).flatMap(([stack, region]) => Object.entries<Json>(templates[stack].Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id, r]) => ({ id, region, name: r.Properties.FunctionName as string | undefined })));
    // Only CDK's deploy-time custom-resource provider (it writes the health-check id to us-east-1) is left unnamed.
    expect(all.filter((f) => f.name === undefined).map((f) => f.id)).toEqual(all.filter((f) => /^AWS679f53fac002430cb0da5b7982bd2287/.test(f.id)).map((f) => f.id));
    const functions = all.filter((f) => f.name !== undefined).map((f) => `arn:aws:lambda:${f.region}:111111111111:function:${f.name}`);
    expect(functions.length).toBe(7);
    const selected = arns(field('Platform Lambda invocations', 'resources.ARN').Equals);
    expect(selected.sort()).toEqual(functions.sort());
  });

  test('writes (not reads) to every replica of the platform table', () => {
    const table = Object.values<Json>(templates['Orders-Global'].Resources).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')!;
    expect(field('Platform table writes', 'readOnly').Equals).toEqual(['false']);
    expect(arns(field('Platform table writes', 'resources.ARN').Equals)).toEqual(
      ['eu-west-1', 'eu-central-1'].map((r) => `arn:aws:dynamodb:${r}:111111111111:table/${table.Properties.TableName}`));
  });

  test('reads and deletions in every archive and access-log bucket, us-east-1\'s included', () => {
    const buckets = Object.values(templates).flatMap((t) => Object.values<Json>(t.Resources).filter((r) => r.Type === 'AWS::S3::Bucket')
      .map((r) => `arn:aws:s3:::${resolve(t, r.Properties.BucketName)}/`));
    expect(buckets.length).toBe(6);
    expect(arns(field('Audit archive reads and deletions', 'resources.ARN').StartsWith).sort()).toEqual(buckets.sort());
  });
});

test('every archive bucket-policy statement for CloudTrail is bound to this trail and account', () => {
  const t = templates['Orders-Global'];
  const statements = Object.values<Json>(t.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[]).filter((st) => JSON.stringify(st.Principal ?? {}).includes('cloudtrail.amazonaws.com'));
  expect(statements.length).toBeGreaterThanOrEqual(2);
  for (const st of statements) {
    expect(resolve(t, st.Condition.StringEquals['aws:SourceArn'])).toBe('arn:aws:cloudtrail:eu-west-1:111111111111:trail/orders-trail');
    expect(resolve(t, st.Condition.StringEquals['aws:SourceAccount'])).toBe('111111111111');
  }
});
