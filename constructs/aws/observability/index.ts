export { SecurityAlarms, type SecurityAlarmsProps, type WatchedApi } from './security-alarms';
export { AccountBaseline, type AccountBaselineProps, ApiGatewayLogsRole } from './account-baseline';
export { HealthCheckAlarms, type HealthCheckAlarmsProps } from './health-alarms';
