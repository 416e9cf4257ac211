/**
 * The Azure log contract: the Log Analytics tables and columns the platform's Azure alerts query, and the members of
 * the authorizer's decision line as the function writes it (the same line as on Lambda, through `context.log`, so it
 * lands in `AppTraces.Message`). The alert queries (constructs/azure/alerts.ts) are built from these names, and the
 * tests analyze every query against this schema with the Kusto language service.
 */
import { AuthorizerMetrics } from './metrics';

/** A Log Analytics table and the columns the platform reads, with their Kusto types. */
export interface AzureLogTable {
  readonly table: string;
  readonly columns: Readonly<Record<string, { readonly name: string; readonly type: 'string' | 'datetime' | 'int' | 'real' | 'long' }>>;
}

/** Application Insights traces (workspace-based): one row per `context.log` line of a function. */
export const APP_TRACES = {
  table: 'AppTraces',
  columns: {
    time: { name: 'TimeGenerated', type: 'datetime' },
    message: { name: 'Message', type: 'string' },
    role: { name: 'AppRoleName', type: 'string' },
  },
} as const satisfies AzureLogTable;

/** API Management gateway logs (resource-specific table of the `GatewayLogs` category). */
export const APIM_GATEWAY_LOGS = {
  table: 'ApiManagementGatewayLogs',
  columns: {
    time: { name: 'TimeGenerated', type: 'datetime' },
    status: { name: 'ResponseCode', type: 'int' },
    totalTime: { name: 'TotalTime', type: 'long' },
    apiId: { name: 'ApiId', type: 'string' },
  },
} as const satisfies AzureLogTable;

/** Front Door WAF logs (category `FrontDoorWebApplicationFirewallLog`, in AzureDiagnostics). */
export const AZURE_DIAGNOSTICS = {
  table: 'AzureDiagnostics',
  columns: {
    time: { name: 'TimeGenerated', type: 'datetime' },
    category: { name: 'Category', type: 'string' },
    action: { name: 'action_s', type: 'string' },
  },
} as const satisfies AzureLogTable;

/** Every table the Azure alerts read. */
export const AZURE_LOG_TABLES: readonly AzureLogTable[] = [APP_TRACES, APIM_GATEWAY_LOGS, AZURE_DIAGNOSTICS];

/** The authorizer decision line: its `message` and the members alerts filter on (the EMF dimension names). */
export const DECISION_LINE = {
  message: 'authorizer decision',
  decision: AuthorizerMetrics.dimensions.decision,
  reason: AuthorizerMetrics.dimensions.reason,
} as const;

/** The Front Door WAF log category and its blocking action. */
export const FRONT_DOOR_WAF = { category: 'FrontDoorWebApplicationFirewallLog', blockAction: 'Block' } as const;
