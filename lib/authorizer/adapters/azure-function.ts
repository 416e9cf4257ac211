/**
 * The authorizer as an Azure Function (`@azure/functions` v4 programming model): the same cloud-neutral decision
 * (`createDecider`) as the Lambda, behind an HTTP trigger that API Management calls with `send-request` (see
 * `./azure-contract` for the body and the answer). Runtime code: no cdktf imports.
 *
 * - 200 with the trusted context (strings) for an allow; 401 or 403 with a generic message for a deny. The reason
 *   goes to the decision line only, never into the answer.
 * - Decision lines are the Lambda's (the same JSON members), written through the invocation's `context.log`, so
 *   they land in Application Insights' `AppTraces` with the invocation id; the alerts query them there.
 * - A body that is not the contract's JSON, or larger than 32 KB, is denied with 401 and logged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AZURE_AUTHZ_MAX_BODY_BYTES, AZURE_AUTHZ_REQUEST as F, AzureAuthzRequestBody } from './azure-contract';
import { AuthorizerDependencies, createDecider } from '../authorizer';
import { AuthorizerConfig } from '../config';
import { DecisionLog, LogSink, stdoutSink } from '../observability';
import { Reason } from '../reasons';
import type { AuthorizerRequest, Decider } from '../types';
import { AuthorizerMetrics } from '../../spec/contracts/metrics';
import { DENIAL_MESSAGES } from '../../spec/contracts/identity';
import { CACHE_CONTROL_HEADER, CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, SECURITY_HEADERS } from '../../spec/http';

export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

const JSON_HEADERS = { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE, [CACHE_CONTROL_HEADER]: SECURITY_HEADERS[CACHE_CONTROL_HEADER] };
const DEFAULT_NAMESPACE = AuthorizerMetrics.namespace;

function deny(status: 401 | 403): HttpResponseInit {
  return { status, headers: JSON_HEADERS, jsonBody: { message: DENIAL_MESSAGES[status] } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** PEM of a base64 DER certificate (what API Gateway passes as `clientCertPem`). */
function pemOf(derBase64: string): string | undefined {
  const clean = derBase64.replace(/\s+/g, '');
  if (clean === '' || !/^[A-Za-z0-9+/]+=*$/.test(clean)) return undefined;
  return `-----BEGIN CERTIFICATE-----\n${clean.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;
}

/**
 * The decision's request from API Management's body. Headers travel as lists (every value the client sent), so a
 * header sent twice reaches the decision as two values and is refused there, as on AWS.
 */
export function requestFromApim(body: AzureAuthzRequestBody): AuthorizerRequest {
  const headers: Record<string, string[]> = {};
  if (isRecord(body.headers)) {
    for (const [name, value] of Object.entries(body.headers)) {
      const values = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
      if (values.length > 0) headers[name] = values;
    }
  }
  const pathParameters: Record<string, string> = {};
  if (isRecord(body.pathParameters)) {
    for (const [name, value] of Object.entries(body.pathParameters)) if (typeof value === 'string') pathParameters[name] = value;
  }
  const cert = text(body.clientCertificate);
  const clientCertPem = cert ? pemOf(cert) : undefined;
  return {
    httpMethod: text(body.method)?.toUpperCase(),
    resource: text(body.route),
    path: text(body.path),
    multiValueHeaders: headers,
    pathParameters,
    requestContext: {
      requestId: text(body.requestId),
      identity: { sourceIp: text(body.clientIp), clientCert: clientCertPem ? { clientCertPem } : null },
    },
  };
}

/** Reads the body as JSON within the size cap; undefined when it is not a JSON object of the contract's size. */
async function readBody(request: HttpRequest): Promise<AzureAuthzRequestBody | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > AZURE_AUTHZ_MAX_BODY_BYTES) return undefined;
  const raw = await request.text();
  if (Buffer.byteLength(raw, 'utf8') > AZURE_AUTHZ_MAX_BODY_BYTES) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return isRecord(parsed) && typeof parsed[F.route] === 'string' ? parsed as AzureAuthzRequestBody : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the HTTP handler around one decider (built once per instance). `deps.log` is where decision lines go when
 * there is no invocation (tests may capture them); during an invocation they go to that invocation's `context.log`.
 * Throws {@link AuthorizerConfigError} for an invalid configuration.
 */
export function createAzureAuthorizerHandler(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): AzureHttpHandler {
  const invocationLog = new AsyncLocalStorage<LogSink>();
  const fallback = deps.log ?? stdoutSink;
  const sink: LogSink = (line) => (invocationLog.getStore() ?? fallback)(line);
  const decide: Decider = createDecider(config, { ...deps, log: sink });
  const log = new DecisionLog(config.metricsNamespace ?? DEFAULT_NAMESPACE, sink);
  return (request, context) => invocationLog.run(invocationSink(context, deps.log), async () => {
    const body = await readBody(request).catch(() => undefined);
    if (!body) {
      log.decision({ decision: 'deny', status: 401, reason: Reason.INTERNAL_ERROR, latencyMs: 0, detail: 'authorizer request body is not the API Management contract', requestId: context.invocationId });
      return deny(401);
    }
    const d = await decide(requestFromApim(body));
    if (!d.allowed) return deny(d.status);
    return { status: 200, headers: JSON_HEADERS, jsonBody: { ...d.context } };
  });
}

/** The invocation's log (and the injected sink too, so tests read what Application Insights would receive). */
function invocationSink(context: InvocationContext, injected: LogSink | undefined): LogSink {
  return (line) => {
    context.log(line);
    injected?.(line);
  };
}

/**
 * A handler for a configuration that could not be loaded: every request is denied (401) and logged with reason
 * `config_error`, never a 500.
 */
export function configErrorHandler(message: string, sink?: LogSink): AzureHttpHandler {
  return async (_request, context) => {
    new DecisionLog(DEFAULT_NAMESPACE, sink ?? ((line) => context.log(line))).decision({
      decision: 'deny', status: 401, reason: Reason.CONFIG_ERROR, latencyMs: 0, detail: message.slice(0, 500), requestId: context.invocationId,
    });
    return deny(401);
  };
}
