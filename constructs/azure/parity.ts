/**
 * What the Azure rendering does compared with AWS, one row per capability: the README's parity table is rendered from
 * this list (`npx tsx scripts/render-parity.ts`), and the tests check it against the example's synthesized
 * cdk.tf.json (every Azure resource type a row names must be there) and the README (the table must be this one).
 */
import { APIM_JWT_ALGORITHMS } from './policies';
import { CLI_AZURE_GAPS, CLI_CLOUD_FORMS } from '../../lib/cli/clouds';
import { SIGNATURE_ALGORITHMS } from '../../lib/spec/contracts/identity';

export interface ParityRow {
  readonly capability: string;
  readonly aws: string;
  /** What Azure renders; for a gap, what it does instead (or `none`). */
  readonly azure: string;
  /** Resource types of the example's cdk.tf.json that carry the Azure column (checked by the tests). */
  readonly azureResources: readonly string[];
  /** Why Azure falls short, when it does. */
  readonly gap?: string;
}

export const AZURE_PARITY: readonly ParityRow[] = [
  { capability: 'Edge, WAF', aws: 'CloudFront + WAF (global and regional ACLs)', azure: 'Front Door Premium + WAF policy (Prevention)', azureResources: ['azurerm_cdn_frontdoor_profile', 'azurerm_cdn_frontdoor_firewall_policy'] },
  { capability: 'DDoS protection', aws: 'Shield Advanced', azure: 'DDoS Network Protection plan on every VNet', azureResources: ['azurerm_network_ddos_protection_plan'] },
  {
    capability: 'Client TLS 1.3 minimum',
    aws: 'CloudFront TLSv1.3_2025, API domain TLS13 policy',
    azure: 'TLS 1.2 minimum (Front Door negotiates 1.3 when the client offers it)',
    azureResources: ['azurerm_cdn_frontdoor_custom_domain'],
    gap: 'azurerm 4.55 (@cdktf/provider-azurerm 14.23) sets a Front Door minimum of TLS12 only; API Management has no TLS 1.3 minimum setting',
  },
  {
    capability: 'Partner mTLS',
    aws: 'Second custom domain with a truststore',
    azure: 'none: mTLS APIs get a synth warning; validate-client-certificate refuses their requests',
    azureResources: [],
    gap: 'API Management is reachable only through Front Door, which does not forward client certificates; a direct partner hostname is not rendered yet',
  },
  { capability: 'Authorizer runtime', aws: 'Lambda authorizer (createAuthorizer)', azure: 'Flex Consumption function, the same decision core (createDecider), called by API Management send-request', azureResources: ['azurerm_function_app_flex_consumption'] },
  { capability: 'Decision cache (revocation bound)', aws: 'API Gateway authorizer cache, 300 s, off for mTLS APIs', azure: 'cache-store-value, 300 s per region, same key parts, off for mTLS APIs', azureResources: ['azurerm_api_management_api_policy'] },
  { capability: 'Revocations, API keys, tenants', aws: 'DynamoDB global table', azure: 'Cosmos DB for Table, a replica per region, local keys off, private endpoints', azureResources: ['azurerm_cosmosdb_account', 'azurerm_cosmosdb_table'] },
  { capability: 'Cedar policies', aws: 'In the authorizer', azure: 'In the authorizer function (the `policies` prop)', azureResources: ['azurerm_function_app_flex_consumption'] },
  {
    capability: 'Per-issuer token validation',
    aws: 'Authorizer: each issuer its own keys, audiences and tenants',
    azure: 'One validate-jwt per issuer chosen by the unverified iss and alg, requiring one of the issuer\'s own tenants (identity.issuers[].tenants), then the function',
    azureResources: ['azurerm_api_management_api_policy'],
    gap: `API Management verifies ${APIM_JWT_ALGORITHMS.join(', ')} only: ${SIGNATURE_ALGORITHMS.filter((a) => !(APIM_JWT_ALGORITHMS as readonly string[]).includes(a)).join(', ')} tokens are validated by the function alone`,
  },
  { capability: 'Lambda-kind API backends', aws: 'Lambda functions', azure: 'Flex Consumption apps (managed identity, private endpoint, VNet integration) behind API Management backend entities', azureResources: ['azurerm_api_management_backend', 'azurerm_service_plan'] },
  { capability: 'Per-tenant limits', aws: 'Usage plans keyed by the tenant', azure: 'rate-limit-by-key / quota-by-key on the tenant of the decision', azureResources: ['azurerm_api_management_api_policy'] },
  { capability: 'Deprecation headers', aws: 'Deprecation and Sunset on every response', azure: 'Deprecation and Sunset set in the API policy', azureResources: ['azurerm_api_management_api_policy'] },
  { capability: 'Keys', aws: 'KMS customer-managed keys, CloudHSM option', azure: 'Key Vault Premium RSA-HSM key, Managed HSM option', azureResources: ['azurerm_key_vault', 'azurerm_key_vault_key'] },
  {
    capability: 'Customer-managed key at rest',
    aws: 'Every table, bucket, log group and secret',
    azure: 'Storage accounts (archive, function packages and data) and Cosmos DB',
    azureResources: ['azurerm_user_assigned_identity'],
    gap: 'Key Vault secrets and API Management have no CMK option; Log Analytics and Application Insights need a dedicated cluster',
  },
  { capability: 'Control-plane audit', aws: 'CloudTrail (all regions, validated)', azure: 'Activity Log diagnostic setting to the workspace and the archive', azureResources: ['azurerm_monitor_diagnostic_setting'] },
  { capability: 'Immutable archive', aws: 'S3 Object Lock', azure: 'Storage account and container immutability policies', azureResources: ['azurerm_storage_container_immutability_policy'] },
  { capability: 'Alerts', aws: 'CloudWatch alarms (deny reasons, JWKS, 401/403/429, 5xx, p99, WAF)', azure: 'Azure Monitor log alerts on the same signals', azureResources: ['azurerm_monitor_scheduled_query_rules_alert_v2', 'azurerm_monitor_action_group'] },
  {
    capability: 'Tracing',
    aws: 'X-Ray on the stage and functions',
    azure: 'Application Insights telemetry of the functions',
    azureResources: ['azurerm_application_insights'],
    gap: 'API Management is not connected to Application Insights (no end-to-end trace through the gateway)',
  },
  {
    capability: 'Function inbound authentication',
    aws: 'IAM (API Gateway invokes Lambda)',
    azure: 'Function keys held as API Management secret named values, private endpoints only',
    azureResources: ['azurerm_api_management_named_value'],
    gap: 'Managed-identity (Easy Auth) calls need an Entra app registration, which the azurerm provider cannot create',
  },
  {
    capability: 'Managed user pool',
    aws: 'Cognito user pool',
    azure: 'none: trust Entra External ID through identity.issuers',
    azureResources: [],
    gap: 'The azurerm provider cannot create Entra External ID tenants or user flows',
  },
  {
    capability: 'Operators\' CLI (tenants, keys, revocation, report, doctor)',
    aws: 'DynamoDB, API Gateway usage plans, CloudWatch Logs audit lines',
    azure: `--cloud azure on the Cosmos DB for Table store the function reads (Entra identity, or a connection string): ${
      CLI_CLOUD_FORMS.filter((c) => c.azure === true).map((c) => c.command).join(', ')}`,
    azureResources: ['azurerm_cosmosdb_table'],
    gap: [
      ...CLI_CLOUD_FORMS.filter((c) => c.azure !== true).map((c) => `no Azure form of ${c.command}: ${c.azure as string}`),
      ...CLI_AZURE_GAPS,
    ].join('; '),
  },
];

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The parity table as Markdown (the README's). */
export function renderParityTable(rows: readonly ParityRow[] = AZURE_PARITY): string {
  return ['| Capability | AWS | Azure | Gap on Azure |', '|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.capability)} | ${cell(r.aws)} | ${cell(r.azure)} | ${r.gap ? cell(r.gap) : '-'} |`)].join('\n');
}
