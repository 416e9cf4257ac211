import { CfnResource } from 'aws-cdk-lib';
import { at, DEFAULT_RULE_CONTEXT, IndexedResource, Json, NagMessageLevel, NagRuleCompliance, PlatformRule, RuleContext, stackIndex, verdict } from '../rule';

interface MetricRef {
  readonly namespace: Json | undefined;
  readonly name: Json | undefined;
}

/** Metrics an alarm watches: its own, or those of a metric-math expression. */
function metricsOf(alarm: IndexedResource): MetricRef[] {
  const own: MetricRef[] = alarm.props.MetricName !== undefined ? [{ namespace: alarm.props.Namespace, name: alarm.props.MetricName }] : [];
  const queries = alarm.props.Metrics;
  const math = Array.isArray(queries)
    ? queries.map((q) => ({ namespace: at(q, 'MetricStat', 'Metric', 'Namespace'), name: at(q, 'MetricStat', 'Metric', 'MetricName') })).filter((m) => m.name !== undefined)
    : [];
  return [...own, ...math];
}

/** Metrics published by metric filters that match 401/403 statuses. */
function authFailureFilterMetrics(node: CfnResource): MetricRef[] {
  return stackIndex(node).ofType('AWS::Logs::MetricFilter')
    .filter((f) => typeof f.props.FilterPattern === 'string' && /\b40[13]\b/.test(f.props.FilterPattern))
    .flatMap((f) => (Array.isArray(f.props.MetricTransformations) ? f.props.MetricTransformations : []))
    .map((t) => ({ namespace: at(t, 'MetricNamespace'), name: at(t, 'MetricName') }));
}

/** Each stack with an API has an alarm, with an action, on 401/403 spikes (API Gateway 4XXError or a 401/403 metric filter). */
export function AuthFailureAlarm(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::RestApi' && type !== 'AWS::ApiGatewayV2::Api') return NagRuleCompliance.NOT_APPLICABLE;
  const filtered = authFailureFilterMetrics(node);
  const watchesAuthFailures = (m: MetricRef): boolean =>
    (m.namespace === 'AWS/ApiGateway' && (m.name === '4XXError' || m.name === '4xx')) ||
    filtered.some((f) => f.name === m.name && f.namespace === m.namespace);
  const alarms = stackIndex(node).ofType('AWS::CloudWatch::Alarm').filter((a) => {
    const actions = a.props.AlarmActions;
    // An alarm nobody hears is not a control.
    return a.props.ActionsEnabled !== false && Array.isArray(actions) && actions.length > 0 && metricsOf(a).some(watchesAuthFailures);
  });
  return verdict(alarms.length > 0);
}

export const AuthFailureAlarmRule: PlatformRule = {
  check: AuthFailureAlarm,
  meta: {
    name: 'AuthFailureAlarm',
    requirement: 'Every stack with an API has an alarm with an action on 401/403 spikes (API Gateway 4XXError or a metric filter on 401/403 access-log lines).',
    info: 'The API\'s stack has no alarm (with an alarm action) on authentication and authorization failures.',
    explanation: 'Spikes of 401/403 reveal credential stuffing, token replay and probing; automated mechanisms must alert on them (PCI DSS 10.4.1.1, NIST SI-4(5)). Add an alarm on 4XXError or on a 401/403 metric filter and send it to the alarm topic.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api'],
    pci: ['10.4.1', '10.4.1.1', '11.5.1'],
    hipaa: ['164.312(b)'],
    nist: ['SI-4', 'SI-4(5)', 'AU-6'],
    awsSolutions: true,
  },
};
