/**
 * The Lambda authorizer (API Gateway REST, REQUEST type). Runtime code only: no aws-cdk-lib / cdktf imports.
 * Bundled ahead of synth by `npm run bundle:authorizer` into `assets/authorizer/index.js`.
 *
 * `handler` builds one authorizer per cold start from its configuration: `authorizer-config.json` beside this file
 * joined with the deploy-time values in `AUTHORIZER_DEPLOY_VALUES`, or `AUTHORIZER_CONFIG` (see config-source.ts). A missing or
 * invalid configuration does not crash the sandbox (that would be a 500 per request): every request is denied
 * (401) and the error is logged with reason `config_error`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthorizer } from './authorizer';
import { CONFIG_FILE, INLINE_CONFIG_ENV, readConfig } from './config-source';
import { DecisionLog, stdoutSink } from './observability';
import { Reason } from './reasons';
import type { Authorizer, AuthorizerEvent, AuthorizerResult } from './types';
import { AuthorizerMetrics } from '../spec/contracts/metrics';

export { createAuthorizer, createDecider, certificateThumbprint } from './authorizer';
export type { AuthorizerDependencies } from './authorizer';
export { CONFIG_FILE, DEPLOY_VALUES_ENV, joinConfig, readConfig, splitConfig } from './config-source';
export type { ConfigFile, ConfigPath } from './config-source';
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
    // The JWKS fetch starts now, during the init phase, rather than on the first request.
    instance = createAuthorizer(readConfig(process.env, __dirname), { prefetchJwks: true });
  } catch (e) {
    initError = e instanceof Error ? e.message : String(e);
  }
  return instance;
}

// Build during the Lambda init phase (JWKS caches, stores, Cedar parse) when the configuration is present.
// eslint-disable-next-line security/detect-non-literal-fs-filename -- the handler's own folder
if (process.env[INLINE_CONFIG_ENV] || existsSync(join(__dirname, CONFIG_FILE))) init();

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
