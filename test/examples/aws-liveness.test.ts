// Liveness of detection: every alarm and dashboard metric of the synthesized example platform is one that something
// produces. Authorizer metrics come from the REAL authorizer driven through an allow and deny reasons, read as
// CloudWatch reads embedded metric format; log-derived metrics come from the synthesized metric filters, applied by the
// filter-pattern engine to access-log lines rendered from the stage's own format and to real-shaped CloudTrail records;
// AWS-published metrics must carry the dimension set AWS publishes and name resources of the templates.
import { randomBytes, randomUUID } from 'node:crypto';
import { App } from 'aws-cdk-lib';
import { buildExampleApp, exampleAppProps } from '../../examples/aws/app';
import { certificateThumbprint, createAuthorizer, MemoryAuthorizerStore, Reason } from '../../lib/authorizer';
import { ACCESS_LOG_FIELDS } from '../../lib/spec/contracts/logs';
import { ALARMED_DENY_REASONS, MetricIdentity } from '../../lib/spec/contracts/metrics';
import { baseConfig, bearer, claims, event, hmacJwt, JwksServer, LogCapture, outcome, rsaKey, signJwt, TestKey } from '../authorizer/helpers';
import { extractEmf, metricKey } from '../support/emf';
import { matchesFilterPattern } from '../support/filter-pattern';

type Json = Record<string, any>;
let templates: Record<string, Json>;

/** A template value as text: strings as is, intrinsics as their JSON (`{"Ref":"X"}`). */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

interface WatchedMetric extends MetricIdentity { readonly where: string }

/** Every metric an alarm watches (single metric or metric math). */
function alarmMetrics(stack: string, t: Json): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const [id, r] of Object.entries<Json>(t.Resources ?? {})) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties;
    const dims = (ds?: Json[]) => Object.fromEntries((ds ?? []).map((d) => [d.Name, text(d.Value)]));
    if (p.MetricName) out.push({ namespace: p.Namespace, metricName: p.MetricName, dimensions: dims(p.Dimensions), where: `${stack}/${id}` });
    for (const m of p.Metrics ?? []) {
      const metric = m.MetricStat?.Metric;
      if (metric) out.push({ namespace: metric.Namespace, metricName: metric.MetricName, dimensions: dims(metric.Dimensions), where: `${stack}/${id}` });
    }
  }
  return out;
}

/** Every metric a dashboard graphs (rows `[namespace, name, k1, v1, ..., {options}]`); SEARCH expressions are refused. */
function dashboardMetrics(stack: string, t: Json): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const [id, r] of Object.entries<Json>(t.Resources ?? {})) {
    if (r.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const b = r.Properties.DashboardBody;
    // Intrinsics inside the body become their JSON text, quoted (they sit inside JSON strings).
    const body = typeof b === 'string' ? b : (b['Fn::Join'][1] as unknown[]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x).replace(/"/g, '\''))).join('');
    for (const w of JSON.parse(body).widgets as Json[]) {
      for (const row of (w.properties?.metrics ?? []) as unknown[][]) {
        const head = row.filter((x) => typeof x === 'string') as string[];
        const opts = row.find((x) => typeof x === 'object') as Json | undefined;
        if (opts?.expression) {
          expect(`${stack}/${id}: ${opts.expression}`).not.toMatch(/SEARCH\(/);
          continue;
        }
        const dims: Record<string, string> = {};
        for (let i = 2; i + 1 < head.length; i += 2) dims[head[i]] = head[i + 1];
        out.push({ namespace: head[0], metricName: head[1], dimensions: dims, where: `${stack}/${id}` });
      }
    }
  }
  return out;
}

/** Metric filters: the metric each one publishes, its pattern and the log group it reads. */
function metricFilters(): Array<{ stack: string; metric: MetricIdentity; pattern: string; logGroup: unknown }> {
  return Object.entries(templates).flatMap(([stack, t]) => Object.values<Json>(t.Resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter').map((r) => {
    const tr = r.Properties.MetricTransformations[0];
    expect(tr.Dimensions).toBeUndefined();
    const metric = { namespace: tr.MetricNamespace, metricName: tr.MetricName, dimensions: {} };
    return { stack, metric, pattern: r.Properties.FilterPattern as string, logGroup: r.Properties.LogGroupName };
  }));
}

// ---- the real authorizer, driven through an allow and deny reasons ----

const server = new JwksServer();
const down = new JwksServer();
let key: TestKey;
let attacker: TestKey;
const produced = new Map<string, MetricIdentity>();
const reasonsSeen = new Set<string>();

beforeAll(() => {
  const app = new App({ ...exampleAppProps(), context: { allowPlaceholders: 'true', lean: 'false' } });
  buildExampleApp(app);
  const assembly = app.synth();
  templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as Json]));
}, 300_000);

beforeAll(async () => {
  await server.start();
  await down.start();
  down.behaviour = 'down';
  key = rsaKey('k1');
  attacker = rsaKey('k1');
  server.keys = [key.publicJwk];

  // The namespace the deployed authorizer uses: its AUTHORIZER_CONFIG as synthesized (absent = the runtime default).
  // (Its configuration may sit in the environment or in the asset: a namespace set anywhere in the function's properties counts.)
  const fn = Object.values<Json>(templates['Orders-Region-eu-west-1'].Resources)
    .find((r) => r.Type === 'AWS::Lambda::Function' && /-authorizer$/.test(String(r.Properties.FunctionName)));
  expect(fn).toBeDefined();
  const rendered = JSON.stringify(fn!.Properties);
  const metricsNamespace = /"metricsNamespace\\?":\\?"([^"\\]+)/.exec(rendered)?.[1];

  const ns = metricsNamespace ? { metricsNamespace } : {};
  const pem = `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
  const otherPem = pem.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'));
  const iss = server.issuer;
  const routes = { 'GET /orders/{id}': { scopes: ['orders:read'] }, 'POST /orders': { scopes: ['orders:write'] }, 'GET /health': {} };
  const issuers = [{ issuer: iss, jwksUri: server.uri, audience: ['urn:api:orders'], algorithms: ['RS256', 'RS384'] as const }];
  const store = new MemoryAuthorizerStore();
  store.putApiKey('good-key-0123456789abcdef', { keyId: 'k-1', tenantId: 'acme', scopes: ['orders:read'] });
  store.revokedJtis.add('revoked-jti');
  const log = new LogCapture();
  const authorize = createAuthorizer(
    baseConfig(iss, server.uri, { issuers: issuers as never, routes, revocation: {}, apiKeys: {}, ...ns }),
    { log: log.sink, stores: { apiKeys: store, revocations: store } },
  );
  const withPolicy = createAuthorizer(baseConfig(iss, server.uri, { routes, policies: 'forbid(principal, action, resource);', ...ns }), { log: log.sink });
  const jwksDown = createAuthorizer(baseConfig(down.issuer, down.uri, ns), { log: log.sink });
  const good = (extra: Json = {}, header: Json = {}) => signJwt(key, claims(iss, extra), header);
  const [h, p] = good().split('.');

  const scenarios: Array<[string, () => Promise<unknown>]> = [
    [Reason.ALLOWED, () => authorize(bearer(good()))],
    [Reason.NO_CREDENTIALS, () => authorize(event())],
    [Reason.MALFORMED_TOKEN, () => authorize(bearer('not-a-token'))],
    [Reason.ALG_NOT_ALLOWED, () => authorize(bearer(hmacJwt('secret-secret-secret-secret-1234', claims(iss), { kid: 'k1' })))],
    [Reason.CRIT_HEADER, () => authorize(bearer(good({}, { crit: ['exp'] })))],
    [Reason.EMBEDDED_KEY_HEADER, () => authorize(bearer(good({}, { jwk: key.publicJwk })))],
    [Reason.UNKNOWN_ISSUER, () => authorize(bearer(good({ iss: 'https://evil.example.com' })))],
    [Reason.UNKNOWN_KID, () => authorize(bearer(good({}, { kid: 'nope' })))],
    [Reason.KEY_MISMATCH, () => authorize(bearer(signJwt({ ...key, alg: 'RS384' }, claims(iss))))],
    [Reason.BAD_SIGNATURE, () => authorize(bearer(signJwt(attacker, claims(iss))))],
    [Reason.BAD_SIGNATURE, () => authorize(bearer(`${h}.${p}.${Buffer.alloc(256).toString('base64url')}`))],
    [Reason.EXPIRED, () => authorize(bearer(good({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 })))],
    [Reason.WRONG_AUDIENCE, () => authorize(bearer(good({ aud: 'urn:api:other' })))],
    [Reason.REVOKED, () => authorize(bearer(good({ jti: 'revoked-jti' })))],
    [Reason.CERTIFICATE_MISMATCH, () => authorize(bearer(good({ cnf: { 'x5t#S256': certificateThumbprint(pem) } }), { clientCertPem: otherPem }))],
    [Reason.CERTIFICATE_REQUIRED, () => authorize(bearer(good({ cnf: { 'x5t#S256': certificateThumbprint(pem) } })))],
    [Reason.INVALID_API_KEY, () => authorize(event({ headers: { 'x-api-key': `unknown-${randomUUID()}` } }))],
    [Reason.ROUTE_NOT_LISTED, () => authorize(bearer(good(), { method: 'DELETE', resource: '/admin' }))],
    [Reason.INSUFFICIENT_SCOPE, () => authorize(bearer(good(), { method: 'POST', resource: '/orders' }))],
    [Reason.POLICY_DENY, () => withPolicy(bearer(good()))],
    [Reason.JWKS_UNAVAILABLE, () => jwksDown(bearer(signJwt(key, claims(down.issuer))))],
  ];
  for (const [reason, run] of scenarios) {
    const before = log.decisions.length;
    await outcome(run() as never);
    const line = log.decisions[before];
    expect(`${reason}: ${String(line?.Reason)}`).toBe(`${reason}: ${reason}`);
    reasonsSeen.add(reason);
  }
  for (const raw of log.raw) for (const m of extractEmf(raw)) produced.set(metricKey(m), m);
});
afterAll(async () => {
  await server.stop();
  await down.stop();
});

// ---- what each alarm and widget watches ----

const AWS_DIMENSIONS: Record<string, Record<string, string[]>> = {
  'AWS/ApiGateway': { 'Count': ['ApiName', 'Stage'], '5XXError': ['ApiName', 'Stage'], '4XXError': ['ApiName', 'Stage'], 'Latency': ['ApiName', 'Stage'] },
  'AWS/WAFV2': { BlockedRequests: ['Region', 'Rule', 'WebACL'], AllowedRequests: ['Region', 'Rule', 'WebACL'] },
  'AWS/Lambda': { Throttles: ['FunctionName'], Errors: ['FunctionName'] },
  'AWS/Logs': { IncomingLogEvents: ['LogGroupName'] },
  'AWS/Route53': { HealthCheckStatus: ['HealthCheckId'] },
};

function watched(): WatchedMetric[] {
  return Object.entries(templates).flatMap(([stack, t]) => [...alarmMetrics(stack, t), ...dashboardMetrics(stack, t)]);
}

test('the authorizer scenarios reached every alarmed deny reason, and every decision line is a valid EMF document', () => {
  for (const r of ALARMED_DENY_REASONS) expect(reasonsSeen).toContain(r);
  expect(produced.size).toBeGreaterThan(reasonsSeen.size);
});

test('every alarm and widget on an authorizer metric watches a namespace, name and exact dimension set the authorizer produces', () => {
  const authorizer = watched().filter((m) => m.namespace.startsWith('SecureApiPlatform/Authorizer'));
  // 11 deny reasons and JWKS failures, alarmed and graphed, in two regions.
  expect(authorizer.length).toBeGreaterThanOrEqual(2 * 2 * (ALARMED_DENY_REASONS.length + 1));
  const missing = authorizer.filter((m) => !produced.has(metricKey(m))).map((m) => `${m.where}: ${metricKey(m)}`);
  expect(missing).toEqual([]);
});

test('every alarm and widget on a log-derived metric watches what a metric filter of the platform publishes', () => {
  const published = new Set(metricFilters().map((f) => metricKey(f.metric)));
  const derived = watched().filter((m) => m.namespace.startsWith('SecureApiPlatform/') && !m.namespace.startsWith('SecureApiPlatform/Authorizer'));
  expect(derived.length).toBeGreaterThan(0);
  expect(derived.filter((m) => !published.has(metricKey(m))).map((m) => `${m.where}: ${metricKey(m)}`)).toEqual([]);
});

test('every AWS metric an alarm or widget watches carries the dimension set AWS publishes it with', () => {
  const aws = watched().filter((m) => m.namespace.startsWith('AWS/'));
  expect(aws.length).toBeGreaterThan(0);
  for (const m of aws) {
    expect(`${m.where}: ${m.namespace} ${m.metricName} [${Object.keys(m.dimensions).sort().join(',')}]`)
      .toBe(`${m.where}: ${m.namespace} ${m.metricName} [${(AWS_DIMENSIONS[m.namespace]?.[m.metricName] ?? ['(unknown metric)']).join(',')}]`);
  }
});

test('AWS metric dimensions name resources of the platform: its REST APIs, web ACLs, functions and log groups', () => {
  const names = (type: string, prop: string) => new Set(Object.values(templates).flatMap((t) => Object.values<Json>(t.Resources)
    .filter((r) => r.Type === type).map((r) => text(r.Properties[prop]))));
  const apis = names('AWS::ApiGateway::RestApi', 'Name');
  const acls = names('AWS::WAFv2::WebACL', 'Name');
  const groups = names('AWS::Logs::LogGroup', 'LogGroupName');
  for (const m of watched()) {
    if (m.namespace === 'AWS/ApiGateway') expect(apis).toContain(m.dimensions.ApiName);
    if (m.namespace === 'AWS/WAFV2') expect(acls).toContain(m.dimensions.WebACL);
    if (m.namespace === 'AWS/Logs') expect(groups).toContain(m.dimensions.LogGroupName);
    if (m.namespace === 'AWS/Lambda') {
      const ref = JSON.parse(m.dimensions.FunctionName).Ref as string;
      const stack = m.where.split('/')[0];
      expect(templates[stack].Resources[ref].Type).toBe('AWS::Lambda::Function');
    }
  }
});

test('metric names and alarm logical ids are stable words: no token text in them', () => {
  for (const m of watched()) expect(`${m.metricName}`).toMatch(/^[A-Za-z0-9]+$/);
  for (const t of Object.values(templates)) {
    for (const [id, r] of Object.entries<Json>(t.Resources)) {
      if (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::Logs::MetricFilter') expect(id).not.toMatch(/Token|TOKEN/);
    }
  }
});

// ---- the metric filters, on real-shaped records ----

/** The access-log line API Gateway writes for one request: the stage's format with each `$context` variable substituted. */
function renderAccessLog(format: string, values: Record<string, string>): string {
  return format.replace(/\$context\.[A-Za-z0-9_.]+/g, (v) => values[v] ?? '-');
}

test('access-log filters count 401, 403 and 429 lines exactly as the stage renders them, and nothing else', () => {
  const t = templates['Orders-Region-eu-west-1'];
  const stage = Object.values<Json>(t.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!;
  const format = stage.Properties.AccessLogSetting.Format as string;
  expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
  const line = (status: string) => renderAccessLog(format, {
    '$context.requestId': randomUUID(),
    '$context.status': status,
    '$context.httpMethod': 'GET',
    '$context.resourcePath': '/orders/{id}',
    '$context.identity.sourceIp': '203.0.113.7',
    '$context.responseLatency': '12',
    '$context.requestTimeEpoch': '1764633600000',
  });
  // The rendered line is JSON, and its status is a string.
  expect(JSON.parse(line('401')).status).toBe('401');
  const filters = metricFilters().filter((f) => f.stack === 'Orders-Region-eu-west-1' && /Status\d{3}$/.test(f.metric.metricName));
  expect(filters.map((f) => f.metric.metricName).sort()).toEqual(['OrdersV1Status401', 'OrdersV1Status403', 'OrdersV1Status429']);
  for (const f of filters) {
    const code = f.metric.metricName.slice(-3);
    for (const status of ['200', '401', '403', '429', '500']) {
      expect(`${f.metric.metricName} on ${status}: ${matchesFilterPattern(f.pattern, line(status))}`).toBe(`${f.metric.metricName} on ${status}: ${status === code}`);
    }
  }
});

/** A CloudTrail record as CloudTrail delivers it to CloudWatch Logs. */
function trailRecord(eventName: string, extra: Json = {}): string {
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLE:ops', arn: 'arn:aws:sts::111111111111:assumed-role/Ops/ops', accountId: '111111111111' },
    eventTime: '2026-12-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.10',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/orders-trail' },
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111111111111',
    eventCategory: 'Management',
    ...extra,
  });
}

test('the tampering filter counts StopLogging, DeleteTrail, UpdateTrail and PutEventSelectors, not reads or restarts', () => {
  const f = metricFilters().find((x) => x.metric.metricName === 'CloudTrailTampering')!;
  for (const e of ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']) expect(`${e}: ${matchesFilterPattern(f.pattern, trailRecord(e))}`).toBe(`${e}: true`);
  for (const e of ['StartLogging', 'GetEventSelectors', 'LookupEvents']) expect(`${e}: ${matchesFilterPattern(f.pattern, trailRecord(e))}`).toBe(`${e}: false`);
  expect(matchesFilterPattern(f.pattern, trailRecord('StopLogging', { eventSource: 's3.amazonaws.com' }))).toBe(false);
});

test('the delivery-failure filter counts failed calls CloudTrail made, not its successful ones', () => {
  const f = metricFilters().find((x) => x.metric.metricName === 'CloudTrailDeliveryFailure')!;
  const byTrail = { userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' }, eventSource: 'kms.amazonaws.com' };
  expect(matchesFilterPattern(f.pattern, trailRecord('GenerateDataKey', { ...byTrail, errorCode: 'AccessDenied', errorMessage: 'denied' }))).toBe(true);
  expect(matchesFilterPattern(f.pattern, trailRecord('GenerateDataKey', byTrail))).toBe(false);
  expect(matchesFilterPattern(f.pattern, trailRecord('GenerateDataKey', { eventSource: 'kms.amazonaws.com', errorCode: 'AccessDenied' }))).toBe(false);
});

test('Route 53 health checks are alarmed in us-east-1, by check ids the regions publish there', () => {
  const regions = Object.keys(templates).filter((s) => s.startsWith('Orders-Region-')).map((s) => s.replace('Orders-Region-', ''));
  const checked = regions.filter((r) => Object.values<Json>(templates[`Orders-Region-${r}`].Resources).some((x) => x.Type === 'AWS::Route53::HealthCheck'));
  expect(checked.length).toBe(2);
  const health = templates['Orders-HealthAlarms'];
  const alarms = Object.values<Json>(health.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  for (const r of checked) {
    const name = `/orders/health-checks/${r}`;
    // The region writes the id of its own check under that name, in us-east-1.
    const writer = Object.values<Json>(templates[`Orders-Region-${r}`].Resources).find((x) => x.Type === 'Custom::AWS' && JSON.stringify(x.Properties.Create ?? '').includes(name));
    expect(text(writer?.Properties.Create)).toMatch(/us-east-1/);
    expect(text(writer?.Properties.Create)).toMatch(/HealthCheck[0-9A-F]{8}/);
    // The alarm reads it there.
    const param = Object.entries<Json>(health.Parameters).find(([, p]) => p.Default === name)![0];
    const alarm = alarms.find((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'HealthCheckId', Value: { Ref: param } }]));
    expect(alarm?.Properties).toMatchObject({ Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus', ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
    expect(alarm?.Properties.AlarmActions).toHaveLength(1);
  }
});
