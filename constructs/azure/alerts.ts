import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { ALARMED_DENY_REASONS, AuthorizerMetrics, metricWord } from '../../lib/spec/contracts/metrics';
import { APIM_GATEWAY_LOGS, APP_TRACES, AZURE_DIAGNOSTICS, DECISION_LINE, FRONT_DOOR_WAF } from '../../lib/spec/contracts/azure-logs';
import { ResolvedSpec } from '../../lib/spec';

/** One alert's query and its firing condition (the query yields one `Value` per 5-minute window). */
export interface AzureAlertQuery {
  readonly name: string;
  readonly description: string;
  /** KQL over the platform workspace, summarizing to a `Value` column. */
  readonly query: string;
  /** Fires when `Value` is greater than or equal to this. */
  readonly threshold: number;
  /** 0 (critical) to 4 (verbose). */
  readonly severity: number;
}

/** Thresholds, the same defaults as the AWS security alarms. */
const DENY_REASON_THRESHOLD = 10;
const AUTH_FAILURE_PERCENT = 20;
const SERVER_ERROR_PERCENT = 1;
const WAF_BLOCKED_PERCENT = 30;
const MINIMUM_REQUESTS = 50;

const decisions = (where: string): string => `${APP_TRACES.table}\n| where ${APP_TRACES.columns.message.name} has "${DECISION_LINE.message}"\n`
  + `| extend line = parse_json(${APP_TRACES.columns.message.name})\n| where ${where}\n`
  + `| summarize Value = count() by bin(${APP_TRACES.columns.time.name}, 5m)`;

/** A share of gateway requests, in percent, counted only once the window has `MINIMUM_REQUESTS` requests. */
const gatewayShare = (condition: string): string => `${APIM_GATEWAY_LOGS.table}\n`
  + `| summarize Total = count(), Matching = countif(${condition}) by bin(${APIM_GATEWAY_LOGS.columns.time.name}, 5m)\n`
  + `| where Total >= ${MINIMUM_REQUESTS}\n| extend Value = 100.0 * Matching / Total\n| project ${APIM_GATEWAY_LOGS.columns.time.name}, Value`;

/**
 * The Azure alerts, the same signals as the AWS security alarms: authorizer denies per alarmed reason (from the
 * decision lines in `AppTraces`), JWKS fetch failures, 401/403/429 shares and the 5xx share of API Management, p99
 * latency above the spec's objective, and the Front Door WAF's blocked share. Table and field names come from the
 * shared contracts (lib/spec/contracts).
 */
export function azureAlertQueries(spec: ResolvedSpec): AzureAlertQuery[] {
  const status = APIM_GATEWAY_LOGS.columns.status.name;
  const reason = (r: string) => `tostring(line.${DECISION_LINE.decision}) == "deny" and tostring(line.${DECISION_LINE.reason}) == "${r}"`;
  return [
    ...ALARMED_DENY_REASONS.map((r) => ({
      name: `Deny${metricWord(r)}`,
      description: `Authorizer denies with reason ${r} at or above ${DENY_REASON_THRESHOLD} in 5 minutes`,
      query: decisions(reason(r)),
      threshold: DENY_REASON_THRESHOLD,
      severity: 2,
    })),
    {
      name: AuthorizerMetrics.jwksFetchFailure,
      description: 'The authorizer failed to fetch an issuer JWKS 3 or more times in 5 minutes (tokens of that issuer will be refused)',
      query: `${APP_TRACES.table}\n| where ${APP_TRACES.columns.message.name} has "${AuthorizerMetrics.jwksFetchFailure}"\n| summarize Value = count() by bin(${APP_TRACES.columns.time.name}, 5m)`,
      threshold: 3,
      severity: 2,
    },
    { name: 'Unauthorized401Spike', description: `401 responses above ${AUTH_FAILURE_PERCENT}% of requests`, query: gatewayShare(`${status} == 401`), threshold: AUTH_FAILURE_PERCENT, severity: 2 },
    { name: 'Forbidden403Spike', description: `403 responses above ${AUTH_FAILURE_PERCENT}% of requests`, query: gatewayShare(`${status} == 403`), threshold: AUTH_FAILURE_PERCENT, severity: 2 },
    { name: 'Throttled', description: `429 (throttled) responses above ${AUTH_FAILURE_PERCENT}% of requests`, query: gatewayShare(`${status} == 429`), threshold: AUTH_FAILURE_PERCENT, severity: 3 },
    { name: 'ServerErrorRate', description: `5xx responses above ${SERVER_ERROR_PERCENT}% of requests`, query: gatewayShare(`${status} >= 500`), threshold: SERVER_ERROR_PERCENT, severity: 1 },
    {
      name: 'LatencyP99',
      description: `p99 latency above the ${spec.latencyObjectiveMs} ms objective`,
      query: `${APIM_GATEWAY_LOGS.table}\n| summarize Value = percentile(${APIM_GATEWAY_LOGS.columns.totalTime.name}, 99) by bin(${APIM_GATEWAY_LOGS.columns.time.name}, 5m)`,
      threshold: spec.latencyObjectiveMs,
      severity: 2,
    },
    {
      name: 'WafBlockedSpike',
      description: `Requests blocked by the Front Door WAF above ${WAF_BLOCKED_PERCENT}% of its traffic (attack in progress)`,
      query: `${AZURE_DIAGNOSTICS.table}\n| where ${AZURE_DIAGNOSTICS.columns.category.name} == "${FRONT_DOOR_WAF.category}"\n`
        + `| summarize Total = count(), Matching = countif(${AZURE_DIAGNOSTICS.columns.action.name} == "${FRONT_DOOR_WAF.blockAction}") by bin(${AZURE_DIAGNOSTICS.columns.time.name}, 5m)\n`
        + `| where Total >= ${MINIMUM_REQUESTS}\n| extend Value = 100.0 * Matching / Total\n| project ${AZURE_DIAGNOSTICS.columns.time.name}, Value`,
      threshold: WAF_BLOCKED_PERCENT,
      severity: 1,
    },
  ];
}

export interface AzureAlertsProps {
  readonly spec: ResolvedSpec;
  readonly resourceGroup: ResourceGroup;
  /** The workspace the diagnostic settings and Application Insights write to. */
  readonly workspace: LogAnalyticsWorkspace;
}

/**
 * Azure Monitor log alerts (scheduled query rules v2, every 5 minutes over 5 minutes) on the platform workspace, one
 * per query of `azureAlertQueries`, notifying an action group that mails `spec.observability.alarmEmails`.
 */
export class AzureAlerts extends Construct {
  public readonly actionGroup: MonitorActionGroup;
  public readonly rules: Readonly<Record<string, MonitorScheduledQueryRulesAlertV2>>;

  constructor(scope: Construct, id: string, props: AzureAlertsProps) {
    super(scope, id);
    const { spec } = props;
    const rgName = props.resourceGroup.name;
    this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
      name: `${spec.name}-alerts`,
      resourceGroupName: rgName,
      shortName: spec.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'alerts',
      emailReceiver: spec.alarmEmails.map((email, i) => ({ name: `email-${i}`, emailAddress: email, useCommonAlertSchema: true })),
    });
    const rules: Record<string, MonitorScheduledQueryRulesAlertV2> = {};
    for (const q of azureAlertQueries(spec)) {
      rules[q.name] = new MonitorScheduledQueryRulesAlertV2(this, q.name, {
        name: `${spec.name}-${q.name}`,
        resourceGroupName: rgName,
        location: spec.primaryRegion,
        description: q.description,
        scopes: [props.workspace.id],
        severity: q.severity,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT5M',
        criteria: [{ query: q.query, timeAggregationMethod: 'Maximum', metricMeasureColumn: 'Value', operator: 'GreaterThanOrEqual', threshold: q.threshold, failingPeriods: { numberOfEvaluationPeriods: 1, minimumFailingPeriodsToTriggerAlert: 1 } }],
        action: { actionGroups: [this.actionGroup.id] },
        autoMitigationEnabled: true,
      });
    }
    this.rules = rules;
  }
}
