/**
 * `secure-api-platform/azure`: the Azure renderer (CDKTF + @cdktf/provider-azurerm). Every cdktf import of the
 * project lives under constructs/azure, so moving to the community fork (cdktn) touches this folder only.
 */
export { AzureSecureApiPlatform, type AzureSecureApiPlatformProps } from './platform';
export { AzureNetwork, type AzureNetworkProps, type AzureRegionResources, PRIVATE_DNS_ZONES } from './network';
export { AzureEdge, type AzureEdgeProps } from './edge';
export { AUTHORIZER_CACHE_SECONDS, AzureGateway, type AzureGatewayOrigin, type AzureGatewayProps, type AzureGatewayWiring } from './gateway';
export { AzureKeys, type AzureKeysProps, KeyVaultRole } from './keys';
export { ACTIVITY_LOG_CATEGORIES, AzureAudit, type AzureAuditProps, SECURE_STORAGE } from './audit';
export { AzureGovernance, type AzureGovernanceProps } from './governance';
export {
  acknowledgeTf, COMPLIANCE_RESULTS_FILE, TerraformCompliance, type TerraformComplianceOptions, TF_ACKNOWLEDGMENT_METADATA,
} from './compliance';
export { APIM_JWT_ALGORITHMS } from './policies';
export {
  acknowledgmentsIn, checkTerraform, type ComplianceRule, CONTROL_SETS, type ControlMapping, formatFindings, POLICY_INITIATIVES,
  TERRAFORM_RULES, TF_ACKNOWLEDGMENTS_KEY, TF_RULE_ID_RE, type TfAcknowledgment, tfAcknowledgmentProblem, type TfAttributes,
  type TfCheckOptions, type TfComplianceReport, type TfConfig, type TfControls, type TfResource, type TfRule, type TfRuleContext,
  type TfRuleResult, type TfRuleStatus, type TfRuleVerdict,
} from '../../lib/compliance/terraform';
export { AUTHORIZER_TABLE, AZURE_AUTHORIZER_PACKAGE, AzureAuthorizer, azureAuthorizerConfig, type AzureAuthorizerProps } from './authorizer';
export {
  type AzureApiBackend, type AzureBackendPackage, AzureFunctionBackends, type AzureFunctionBackendsProps, BACKEND_TABLE_ENDPOINT_SETTING,
} from './backends';
export { AZURE_FUNCTIONS_NODE_VERSION, AzureFlexFunction, type AzureFlexFunctionProps, type AzureFunctionAppsBase } from './functions';
export { type AzureAlertQuery, AzureAlerts, type AzureAlertsProps } from './alerts';
export { AZURE_PARITY, type ParityRow, renderParityTable } from './parity';
