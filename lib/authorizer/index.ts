/**
 * The Lambda authorizer (API Gateway REST, REQUEST type) and its library API. Runtime code only: no aws-cdk-lib / cdktf
 * imports. The Lambda entry point is `handler` (./handler.ts), bundled alone ahead of synth by `npm run bundle:authorizer`
 * into `assets/authorizer/index.js`.
 */
export { handler } from './handler';
export { createAuthorizer, createDecider, certificateThumbprint } from './authorizer';
export type { AuthorizerDependencies } from './authorizer';
export { CONFIG_FILE, DEPLOY_VALUES_ENV, joinConfig, readConfig, splitConfig } from './config-source';
export type { ConfigFile, ConfigPath } from './config-source';
export { AuthorizerConfigError, LIMITS } from './config';
export { SIGNATURE_ALGORITHMS } from '../spec/contracts/identity';
export type { SignatureAlgorithm } from '../spec/contracts/identity';
export type {
  ApiKeyOptions, AuthorizerConfig, CertificateBindingOptions, IssuerConfig, ResolvedConfig, RevocationOptions,
  RouteConfig, TenantOptions, TokenUse,
} from './config';
export { validateAuthorizerConfig } from './config-validate';
export type { ValidateOptions } from './config-validate';
export { cedarEngineFor, checkCedarPolicies, referencedContextKeys } from './cedar';
export type { CedarContext, CedarEngineChoice } from './cedar';
export type { JwksFetcher } from './jwks';
export { fetchJwksBody } from './jwks';
export type { LogSink } from './observability';
export { Reason, statusOf } from './reasons';
export type { ReasonCode } from './reasons';
export { hashApiKey, ItemKeys, TtlCache } from './stores';
export type {
  ApiKeyRecord, ApiKeyStore, AuthorizerStores, ItemKey, RevocationQuery, RevocationStatus, RevocationStore, StoreCallOptions, TenantRecord,
  TenantStore,
} from './stores';
export { MemoryAuthorizerStore } from './stores/memory';
export type {
  Authorizer, AuthorizerContext, AuthorizerEvent, AuthorizerRequest, AuthorizerResult, Decider, Decision,
} from './types';

