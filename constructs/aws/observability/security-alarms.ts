import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { accessLogStatusFilter } from '../../../lib/spec/contracts/logs';
import { ACCESS_LOG_COUNTED_STATUSES, accessLogStatusMetric, ALARMED_DENY_REASONS, AuditMetrics, decisionsByReason, JWKS_FETCH_FAILURE, MetricIdentity, metricWord } from '../../../lib/spec/contracts/metrics';
import { PlatformNames } from '../common/names';
import { SecurityNames } from '../common/security-names';

/** An API stage the alarms watch (REST API `<platform>-<api>-<version>`, stage `<version>`). */
export interface WatchedApi {
  /** The spec API's name. */
  readonly api: string;
  /** The spec API's version (the stage name). */
  readonly version: string;
  /**
   * The stage's JSON access-log group (its records carry `status`); metric filters count 401, 403 and 429 from it.
   * @default - no 401/403/429 alarms for this API
   */
  readonly accessLogGroup?: logs.ILogGroup;
}

export { ALARMED_DENY_REASONS };

export interface SecurityAlarmsProps {
  /** The resolved spec (latency objective, alarm emails, APIs). */
  readonly spec: ResolvedSpec;
  /** Key of the alarm topic (PlatformKeys.logs: its policy lets CloudWatch and EventBridge publish). */
  readonly topicKey: kms.IKey;
  /**
   * The API stages to watch.
   * @default - every spec API, without access-log alarms
   */
  readonly apis?: WatchedApi[];
  /**
   * Name of the regional web ACL (the `WebACL` dimension of AWS/WAFV2).
   * @default `<platform>-regional`
   */
  readonly webAclName?: string;
  /**
   * Name of the authorizer function (its throttles are alarmed).
   * @default `<platform>-authorizer`
   */
  readonly authorizerFunctionName?: string;
  /**
   * Alarm on the trail's delivery (tampering, failed deliveries, silence). On in the primary region, where the trail is.
   * @default - true in the primary region
   */
  readonly trailAlarms?: boolean;
  /**
   * 401 or 403 responses, in percent of requests over 5 minutes, above which the spike alarms fire.
   * @default 20
   */
  readonly authFailurePercent?: number;
  /**
   * 5xx responses, in percent of requests over 5 minutes.
   * @default 1
   */
  readonly serverErrorPercent?: number;
  /**
   * Blocked requests, in percent of the web ACL's requests over 5 minutes.
   * @default 30
   */
  readonly wafBlockedPercent?: number;
  /**
   * Fewest requests in 5 minutes for a rate alarm to judge (below it, a handful of errors is no spike).
   * @default 50
   */
  readonly minimumRequests?: number;
  /**
   * Denies of one alarmed reason in 5 minutes that fire its alarm.
   * @default 10
   */
  readonly denyReasonThreshold?: number;
}

/**
 * The security alarms and dashboard of one region, with a KMS-encrypted, TLS-only SNS topic (`<platform>-security-alarms`)
 * as the action of every alarm (and its OK). Per API: 401 and 403 spikes relative to traffic (metric math over the
 * access-log metric filters), 5xx rate, p99 latency above spec.observability.latencyObjectiveMs, throttling (429s).
 * Region-wide: WAF blocked-request spike relative to the web ACL's traffic, authorizer denies per alarmed reason
 * (EMF `SecureApiPlatform/Authorizer` `Decisions` by `Decision=deny` × `Reason`), JWKS fetch failures (EMF
 * `JwksFetchFailure`), authorizer throttles and, in the primary region, CloudTrail tampering, failed deliveries and
 * silence. Every metric is named by the metrics contract (lib/spec/contracts/metrics.ts) its emitters use, and every
 * construct id is a word built from the spec (never from a token), so alarm names and history survive any refactoring.
 */
export class SecurityAlarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by construct id. */
  public readonly alarms = new Map<string, cloudwatch.Alarm>();

  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const pct = (name: string, v: number | undefined, d: number): number => {
      const x = v ?? d;
      if (!(x > 0 && x <= 100)) throw new PlatformValidationError(`${name} must be a percentage in (0, 100] (received: ${x}); pass e.g. ${d}`, this);
      return x;
    };
    const authPct = pct('authFailurePercent', props.authFailurePercent, 20);
    const errPct = pct('serverErrorPercent', props.serverErrorPercent, 1);
    const wafPct = pct('wafBlockedPercent', props.wafBlockedPercent, 30);
    const minReq = props.minimumRequests ?? 50;
    if (!Number.isInteger(minReq) || minReq < 1) throw new PlatformValidationError(`minimumRequests must be a positive integer (received: ${minReq})`, this);
    const denyThreshold = props.denyReasonThreshold ?? 10;
    if (!Number.isInteger(denyThreshold) || denyThreshold < 1) throw new PlatformValidationError(`denyReasonThreshold must be a positive integer (received: ${denyThreshold})`, this);

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: SecurityNames.alarmTopic(spec),
      displayName: `${spec.name} security alarms`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    for (const email of spec.alarmEmails) this.topic.addSubscription(new subs.EmailSubscription(email));
    this.action = new actions.SnsAction(this.topic);

    const period = Duration.minutes(5);
    const apis: WatchedApi[] = props.apis ?? spec.apis.map((a) => ({ api: a.name, version: a.version }));
    const widgets: cloudwatch.IWidget[] = [];
    for (const watched of apis) {
      const api = {
        apiName: PlatformNames.restApi(spec, watched.api, watched.version), stage: watched.version, accessLogGroup: watched.accessLogGroup,
      };
      const dims = { ApiName: api.apiName, Stage: api.stage };
      const count = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Count', dimensionsMap: dims, statistic: 'Sum', period });
      const key = `${metricWord(watched.api)}${metricWord(watched.version)}`;
      const e5 = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensionsMap: dims, statistic: 'Sum', period });
      const latency = new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensionsMap: dims, statistic: 'p99', period });
      this.alarm(`${key}ServerErrorRate`, rate(e5, count, minReq, `5xx % of ${api.apiName}/${api.stage}`), errPct,
        `5xx responses of ${api.apiName}/${api.stage} above ${errPct}% of requests`);
      this.alarm(`${key}LatencyP99`, latency, spec.latencyObjectiveMs,
        `p99 latency of ${api.apiName}/${api.stage} above the ${spec.latencyObjectiveMs} ms objective`, 3);
      const graphs: cloudwatch.IMetric[] = [count, e5];
      if (api.accessLogGroup) {
        const [m401, m403, m429] = ACCESS_LOG_COUNTED_STATUSES.map((code) => {
          const counted = accessLogStatusMetric(watched.api, watched.version, code);
          new logs.MetricFilter(this, `${counted.metricName}Filter`, {
            logGroup: api.accessLogGroup!,
            filterPattern: logs.FilterPattern.literal(accessLogStatusFilter(code)),
            metricNamespace: counted.namespace,
            metricName: counted.metricName,
            metricValue: '1',
          });
          return contractMetric(counted, period);
        });
        this.alarm(`${key}Unauthorized401Spike`, rate(m401, count, minReq, `401 % of ${api.apiName}`), authPct,
          `401 responses of ${api.apiName}/${api.stage} above ${authPct}% of requests (credential stuffing, token replay)`);
        this.alarm(`${key}Forbidden403Spike`, rate(m403, count, minReq, `403 % of ${api.apiName}`), authPct,
          `403 responses of ${api.apiName}/${api.stage} above ${authPct}% of requests (privilege probing, BOLA attempts)`);
        this.alarm(`${key}Throttled`, rate(m429, count, minReq, `429 % of ${api.apiName}`), authPct,
          `429 (throttled) responses of ${api.apiName}/${api.stage} above ${authPct}% of requests`);
        graphs.push(m401, m403, m429);
      }
      widgets.push(new cloudwatch.GraphWidget({ title: `${api.apiName}/${api.stage} requests and errors`, left: graphs, width: 12 }));
      widgets.push(new cloudwatch.GraphWidget({
        title: `${api.apiName}/${api.stage} p99 latency`,
        left: [latency],
        width: 12,
        leftAnnotations: [{ value: spec.latencyObjectiveMs, label: 'objective' }],
      }));
    }

    const webAcl = props.webAclName ?? `${spec.name}-regional`;
    const wafDims = { WebACL: webAcl, Region: stack.region, Rule: 'ALL' };
    const blocked = new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensionsMap: wafDims, statistic: 'Sum', period });
    const allowed = new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'AllowedRequests', dimensionsMap: wafDims, statistic: 'Sum', period });
    this.alarm('WafBlockedSpike', new cloudwatch.MathExpression({
      expression: `IF((b + a) >= ${minReq}, 100 * b / (b + a), 0)`,
      usingMetrics: { b: blocked, a: allowed },
      label: `WAF blocked % (${webAcl})`,
      period,
    }), wafPct, `Requests blocked by ${webAcl} above ${wafPct}% of its traffic (attack in progress)`);
    widgets.push(new cloudwatch.GraphWidget({ title: `WAF ${webAcl}`, left: [allowed, blocked], width: 12 }));

    const denies: cloudwatch.Metric[] = [];
    for (const reason of ALARMED_DENY_REASONS) {
      const deny = contractMetric(decisionsByReason('deny', reason), period);
      denies.push(deny);
      this.alarm(`Deny${metricWord(reason)}`, deny,
        denyThreshold, `Authorizer denies with reason ${reason} at or above ${denyThreshold} in 5 minutes`, 1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
    }
    const jwks = contractMetric(JWKS_FETCH_FAILURE, period);
    this.alarm(JWKS_FETCH_FAILURE.metricName, jwks, 3, 'The authorizer failed to fetch an issuer JWKS 3 or more times in 5 minutes (tokens of that issuer will be refused)',
      1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
    const authorizer = props.authorizerFunctionName ?? `${spec.name}-authorizer`;
    this.alarm('AuthorizerThrottles', new cloudwatch.Metric({
      namespace: 'AWS/Lambda', metricName: 'Throttles', dimensionsMap: { FunctionName: authorizer }, statistic: 'Sum', period,
    }), 1, `Invocations of ${authorizer} throttled (its reserved concurrency is exhausted: callers get 500s)`, 1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
    // The alarmed reasons by name (a SEARCH expression would hide a dimension mismatch behind an empty graph).
    widgets.push(new cloudwatch.GraphWidget({ title: 'Authorizer denies by alarmed reason', width: 12, left: denies }));
    widgets.push(new cloudwatch.GraphWidget({ title: 'JWKS fetch failures', left: [jwks], width: 12 }));

    const trailAlarms = props.trailAlarms ?? (Token.isUnresolved(stack.region) || stack.region === spec.primaryRegion);
    if (trailAlarms) {
      const audit = (metricName: string) => contractMetric({ namespace: AuditMetrics.namespace, metricName, dimensions: {} }, period);
      const tamper = audit(AuditMetrics.cloudTrailTampering);
      const failure = audit(AuditMetrics.cloudTrailDeliveryFailure);
      const incoming = new cloudwatch.Metric({
        namespace: 'AWS/Logs', metricName: 'IncomingLogEvents', dimensionsMap: { LogGroupName: SecurityNames.trailLogGroup(spec) }, statistic: 'Sum', period: Duration.hours(1),
      });
      this.alarm('CloudTrailTampering', tamper, 1, 'The platform trail was stopped, deleted or reconfigured', 1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
      this.alarm('CloudTrailDeliveryFailure', failure, 1, 'CloudTrail failed to write to the archive or to use its KMS key', 1, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
      const silent = new cloudwatch.Alarm(this, 'CloudTrailSilent', {
        metric: incoming,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: 'No CloudTrail event reached CloudWatch Logs for an hour: delivery has stopped',
      });
      silent.addAlarmAction(this.action);
      silent.addOkAction(this.action);
      this.alarms.set('CloudTrailSilent', silent);
      widgets.push(new cloudwatch.GraphWidget({ title: 'CloudTrail delivery', left: [incoming], right: [tamper, failure], width: 12 }));
    }
    widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Security alarms', alarms: [...this.alarms.values()], width: 24 }));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${spec.name}-security-${Token.isUnresolved(stack.region) ? 'region' : stack.region}`,
      defaultInterval: Duration.hours(3),
    });
    for (let i = 0; i < widgets.length; i += 2) this.dashboard.addWidgets(...widgets.slice(i, i + 2));
  }

  private alarm(
    id: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods = 2,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(id, alarm);
    return alarm;
  }
}

/** `100 * part / total` over the period, 0 while `total` is below `minimum` (a few errors at night are no spike). */
function rate(part: cloudwatch.IMetric, total: cloudwatch.IMetric, minimum: number, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(t >= ${minimum}, 100 * FILL(p, 0) / t, 0)`,
    usingMetrics: { p: part, t: total },
    label,
    period: Duration.minutes(5),
  });
}

/** The CloudWatch metric (Sum over `period`) of a contract metric identity: its exact dimension set. */
function contractMetric(m: MetricIdentity, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: m.namespace, metricName: m.metricName, dimensionsMap: { ...m.dimensions }, statistic: 'Sum', period });
}
