/**
 * The metrics contract: every metric the platform emits (EMF lines of the authorizer, metric filters over logs) and
 * every metric its alarms and dashboards read, by namespace, name and exact dimension set. CloudWatch treats a metric
 * as namespace + name + the exact set of dimensions, so the emitting side and the alarming side import these values
 * and never spell them again.
 */

/** A metric as CloudWatch identifies it. `dimensions` is the exact set (an empty object: no dimension). */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What the authorizer emits in embedded metric format (one directive per line). */
export const AuthorizerMetrics = {
  namespace: 'SecureApiPlatform/Authorizer',
  /** One per decision (Count), by `Decision` × `Reason` and by `Decision`. */
  decisions: 'Decisions',
  /** Decision latency (Milliseconds), by the same dimension sets as `decisions`. */
  decisionLatency: 'DecisionLatency',
  /** One per failed JWKS fetch (Count), without dimensions. */
  jwksFetchFailure: 'JwksFetchFailure',
  dimensions: { decision: 'Decision', reason: 'Reason' },
  /** The dimension sets of the decision line (EMF `Dimensions`). */
  decisionDimensionSets: [['Decision', 'Reason'], ['Decision']] as readonly (readonly string[])[],
  /** The dimension sets of the JWKS failure line: one empty set (EMF allows it; the metric has no dimension). */
  jwksFetchFailureDimensionSets: [[]] as readonly (readonly string[])[],
} as const;

/** Values of the authorizer's `Decision` dimension. */
export type DecisionValue = 'allow' | 'deny';

/** `Decisions` of one decision and reason (what a per-reason deny alarm watches). */
export function decisionsByReason(decision: DecisionValue, reason: string): MetricIdentity {
  return {
    namespace: AuthorizerMetrics.namespace,
    metricName: AuthorizerMetrics.decisions,
    dimensions: { [AuthorizerMetrics.dimensions.decision]: decision, [AuthorizerMetrics.dimensions.reason]: reason },
  };
}

/** `Decisions` of one decision over every reason. */
export function decisionsTotal(decision: DecisionValue): MetricIdentity {
  const dimensions = { [AuthorizerMetrics.dimensions.decision]: decision };
  return { namespace: AuthorizerMetrics.namespace, metricName: AuthorizerMetrics.decisions, dimensions };
}

/** `JwksFetchFailure`, without dimensions. */
export const JWKS_FETCH_FAILURE: MetricIdentity = {
  namespace: AuthorizerMetrics.namespace, metricName: AuthorizerMetrics.jwksFetchFailure, dimensions: {},
};

/**
 * Authorizer deny reasons that indicate an attack rather than a client mistake: one alarm each. Reason codes as the
 * authorizer writes them (lib/authorizer/reasons.ts checks it has every one).
 */
export const ALARMED_DENY_REASONS = [
  'bad_signature', 'alg_not_allowed', 'key_mismatch', 'embedded_key_header', 'crit_header', 'revoked',
  'certificate_mismatch', 'invalid_api_key', 'policy_deny', 'wrong_audience', 'unknown_issuer',
] as const;

/** Metrics the platform derives from logs with metric filters. */
export const AuditMetrics = {
  namespace: 'SecureApiPlatform/Audit',
  /** StopLogging, DeleteTrail, UpdateTrail or PutEventSelectors on the platform trail. */
  cloudTrailTampering: 'CloudTrailTampering',
  /** Failed S3 or KMS calls made by CloudTrail. */
  cloudTrailDeliveryFailure: 'CloudTrailDeliveryFailure',
} as const;

/** HTTP statuses counted from each API's access log. */
export const ACCESS_LOG_COUNTED_STATUSES = [401, 403, 429] as const;
export type CountedStatus = (typeof ACCESS_LOG_COUNTED_STATUSES)[number];

/**
 * The access-log metric of one API version and status: a stable word built from the spec (`OrdersV1Status401`), so
 * its name, the alarm and their history survive any change of construction order.
 */
export function accessLogStatusMetric(api: string, version: string, status: CountedStatus): MetricIdentity {
  return { namespace: AuditMetrics.namespace, metricName: `${metricWord(api)}${metricWord(version)}Status${status}`, dimensions: {} };
}

/** `orders-api` → `OrdersApi`: letters and digits of each word, capitalized. */
export function metricWord(s: string): string {
  return s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
