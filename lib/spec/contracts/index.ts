export {
  ACCESS_LOG_COUNTED_STATUSES, accessLogStatusMetric, ALARMED_DENY_REASONS, AuditMetrics, AuthorizerMetrics, type CountedStatus,
  decisionsByReason, decisionsTotal, type DecisionValue, JWKS_FETCH_FAILURE, type MetricIdentity, metricWord,
} from './metrics';
export {
  ACCESS_LOG_FIELDS, accessLogStatusFilter, ALWAYS_REDACTED_PATHS, CLOUDTRAIL_DELIVERY_FAILURE_FILTER, CLOUDTRAIL_TAMPERING_FILTER,
  type ExtraRedactions, type FieldPath, LOG_SOURCES, type LogSource, redactionPlan, type RedactionPlan, SENSITIVE_FIELD_PATHS,
} from './logs';
export {
  ApiNames, AWS_REGION_PATTERN, AZURE_REGION_PATTERN, DYNAMODB_REPLICATION_ROLE, FUNCTION_NAME_LIMIT, FunctionNames, healthCheckParameter,
  isRegionName, type NamedPlatform, operationsAuditLogGroup, ORIGIN_VERIFY_DISTRIBUTION_TAG, ORIGIN_VERIFY_HEADER, PLAN_NAME_PATTERN,
  PLATFORM_NAME_PATTERN, platformFunctionNames, RoleNames, ROUTE53_METRICS_REGION, TABLE_WRITE_ACTIONS, TableNames,
} from './names';
export {
  APIM_GATEWAY_LOGS, APP_TRACES, AZURE_DIAGNOSTICS, AZURE_LOG_TABLES, type AzureLogTable, DECISION_LINE, FRONT_DOOR_WAF,
} from './azure-logs';
