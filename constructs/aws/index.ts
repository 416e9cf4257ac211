// The `secure-api-platform/aws` entry point: the AWS renderer of the platform spec (aws-cdk-lib).
export {
  KEY_PURPOSES, KeyPurpose, PLATFORM_NODE_RUNTIME, PlatformFunction, type PlatformFunctionProps, PlatformNames, SecurityNames,
} from './common';
export {
  type AccountTakeoverOptions, EdgeDistribution, type EdgeDistributionProps, RegionalWaf, type RegionalWafProps,
} from './edge';
export {
  ApiDomains, type ApiDomainsProps, AuthorizerFunction, type AuthorizerFunctionProps, SecureRestApi, type SecureRestApiProps, type WebAclRef,
} from './gateway';
export { cognitoIssuerConfig, type OidcFederation, PlatformIdentity, type PlatformIdentityProps } from './identity';
export {
  type CloudHsmInitialization, CloudHsmKeyStore, type CloudHsmKeyStoreProps, type OriginVerifyPropagation, OriginVerifySecret,
  type OriginVerifySecretProps, PlatformKeys, type PlatformKeysProps, PlatformSecret, type PlatformSecretProps, type SecretRotation,
} from './keys';
export {
  type ArchivedLogSource, AuditArchive, type AuditArchiveProps, AuditLogShipping, type AuditLogShippingProps, AuditTrail, type AuditTrailProps,
} from './audit';
export {
  AccountBaseline, type AccountBaselineProps, ApiGatewayLogsRole, HealthCheckAlarms, type HealthCheckAlarmsProps, SecurityAlarms,
  type SecurityAlarmsProps, type WatchedApi,
} from './observability';
export {
  type BackendContext, type BackendFactory, BackendFunction, type BackendFunctionProps, EdgeKeysStack, type EdgeKeysStackProps, EdgeStack,
  type EdgeStackProps, GlobalDataStack, type GlobalDataStackProps, IdempotencyTable, type IdempotencyTableProps, lambdaBackend,
  type LambdaBackendOptions, OperatorsRole, type OperatorsRoleProps, PlatformTable, type PlatformTableProps, RegionalFailover,
  type RegionalFailoverProps, RegionalKeysStack, type RegionalKeysStackProps, RegionalPlatformStack, type RegionalPlatformStackProps,
  RegionParameters, type RegionParametersProps, SecureApiPlatform, type SecureApiPlatformProps,
} from './platform';
