/**
 * The Lambda entry point (`index.handler` of the bundle: scripts/bundle-authorizer.mjs bundles this file alone, so the
 * library API of ./index.ts stays out of the function's code). One authorizer per cold start, built from its
 * configuration: `authorizer-config.json` beside the bundle joined with the deploy-time values in
 * `AUTHORIZER_DEPLOY_VALUES`, or `AUTHORIZER_CONFIG` (see config-source.ts). A missing or invalid configuration does not
 * crash the sandbox (that would be a 500 per request): every request is denied (401) and the error is logged with
 * reason `config_error`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthorizer } from './authorizer';
import { CONFIG_FILE, INLINE_CONFIG_ENV, readConfig } from './config-source';
import { DecisionLog, stdoutSink } from './observability';
import { Reason } from './reasons';
import type { Authorizer, AuthorizerEvent, AuthorizerResult } from './types';
import { AuthorizerMetrics } from '../spec/contracts/metrics';
import { DENIAL_MESSAGES } from '../spec/contracts/identity';

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
  throw new Error(DENIAL_MESSAGES[401]);
}

/**
 * The factory the handler builds its authorizer with, exported from the bundle too: the contract tests drive the
 * deployed code (this bundle) with their own stores and clock. It adds nothing to the bundle: the handler uses it.
 */
export { createAuthorizer };
