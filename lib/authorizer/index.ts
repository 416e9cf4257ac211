/**
 * The Lambda authorizer (API Gateway REST, REQUEST type). Runtime code only: no aws-cdk-lib / cdktf imports.
 * Bundled ahead of synth by `npm run bundle:authorizer` into `assets/authorizer/index.js`.
 *
 * `handler` builds one authorizer per cold start from the JSON in `process.env.AUTHORIZER_CONFIG`. A missing or
 * invalid configuration does not crash the sandbox (that would be a 500 per request): every request is denied
 * (401) and the error is logged with reason `config_error`.
 */
import { createAuthorizer } from './authorizer';
import { AuthorizerConfig } from './config';
import { DecisionLog, stdoutSink } from './observability';
import { Reason } from './reasons';
import type { Authorizer, AuthorizerEvent, AuthorizerResult } from './types';
import { AuthorizerMetrics } from '../spec/contracts/metrics';

export { createAuthorizer, createDecider, certificateThumbprint } from './authorizer';
export type { AuthorizerDependencies } from './authorizer';
export {
  AuthorizerConfigError, LIMITS, SUPPORTED_ALGORITHMS, validateAuthorizerConfig,
} from './config';
export type {
  ApiKeyOptions, AuthorizerConfig, CertificateBindingOptions, IssuerConfig, JwtAlgorithm, ResolvedConfig, RevocationOptions,
  RouteConfig, TenantOptions, TokenUse, ValidateOptions,
} from './config';
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

let instance: Authorizer | undefined;
let initError: string | undefined;

function init(): Authorizer | undefined {
  if (instance || initError) return instance;
  try {
    const raw = process.env.AUTHORIZER_CONFIG;
    if (!raw) throw new Error('AUTHORIZER_CONFIG is not set');
    // The JWKS fetch starts now, during the init phase, rather than on the first request.
    instance = createAuthorizer(JSON.parse(raw) as AuthorizerConfig, { prefetchJwks: true });
  } catch (e) {
    initError = e instanceof Error ? e.message : String(e);
  }
  return instance;
}

// Build during the Lambda init phase (JWKS caches, stores, Cedar parse) when the configuration is present.
if (process.env.AUTHORIZER_CONFIG) init();

/** The Lambda entry point. */
export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  const authorizer = init();
  if (authorizer) return authorizer(event);
  try {
    new DecisionLog(AuthorizerMetrics.namespace, stdoutSink).decision({
      decision: 'deny',
      status: 401,
      reason: Reason.CONFIG_ERROR,
      latencyMs: 0,
      detail: initError?.slice(0, 500),
      requestId: event?.requestContext?.requestId,
    });
  } catch {
    // Never a 500.
  }
  throw new Error('Unauthorized');
}
