import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { AuthorizerConfig, AuthorizerDependencies, AuthorizerEvent, AuthorizerResult } from '../../lib/authorizer';
import { AZURE_AUTHZ_REQUEST as F } from '../../lib/authorizer/adapters/azure-contract';
import { createAzureAuthorizerHandler } from '../../lib/authorizer/adapters/azure-function';

/** What the invocation logged through `context.log` (Application Insights' AppTraces `Message`). */
export const invocationLines: string[] = [];

/**
 * The body API Management's send-request builds for a client request (constructs/azure/policies.ts): the method, the
 * operation's URL template, the path, the matched parameters, ONLY the credential headers (every value), the client IP,
 * the request id and the client certificate's DER in base64.
 */
export function apimBody(event: AuthorizerEvent, apiKeyHeader = 'x-api-key'): Record<string, unknown> {
  const wanted = new Set(['authorization', apiKeyHeader.toLowerCase()]);
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    const lower = name.toLowerCase();
    if (wanted.has(lower) && values) headers[lower] = [...(headers[lower] ?? []), ...values];
  }
  const pem = event.requestContext?.identity?.clientCert?.clientCertPem;
  const der = pem ? /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1].replace(/\s+/g, '') ?? '' : '';
  return {
    [F.method]: event.httpMethod,
    [F.route]: event.resource,
    [F.path]: event.path,
    [F.pathParameters]: event.pathParameters ?? {},
    [F.headers]: headers,
    [F.clientIp]: event.requestContext?.identity?.sourceIp ?? '',
    [F.requestId]: event.requestContext?.requestId ?? randomUUID(),
    [F.clientCertificate]: der,
  };
}

/** Posts a body to the v4 handler as the Functions host would, in-process. */
export function invoke(handler: ReturnType<typeof createAzureAuthorizerHandler>, body: string) {
  const request = new HttpRequest({ method: 'POST', url: 'https://orders-authz.azurewebsites.net/api/authorize', body: { string: body }, headers: { 'content-type': 'application/json' } });
  const context = new InvocationContext({ invocationId: randomUUID(), functionName: 'authorize', logHandler: (_level, ...args) => invocationLines.push(String(args[0])) });
  return handler(request, context);
}

/**
 * The authorizer as API Gateway would see it, but through the Azure Function: the event becomes API Management's body,
 * the v4 handler answers 200 (allow, the context as JSON), 401 or 403, mapped back to the Lambda's result shapes so the
 * Lambda's test files run unchanged.
 */
export function azureFunctionRuntime(
  config: AuthorizerConfig, deps: AuthorizerDependencies = {},
): (event: AuthorizerEvent) => Promise<AuthorizerResult> {
  const handler = createAzureAuthorizerHandler(config, deps);
  return async (event) => {
    const response = await invoke(handler, JSON.stringify(apimBody(event, config.apiKeys?.header ?? 'x-api-key')));
    const policy = (effect: 'Allow' | 'Deny') => ({ Version: '2012-10-17' as const, Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }] });
    if (response.status === 200) {
      const context = response.jsonBody as AuthorizerResult['context'] & { principalId: string };
      return { principalId: context.principalId, policyDocument: policy('Allow'), context };
    }
    if (response.status === 403) return { principalId: 'anonymous', policyDocument: policy('Deny') };
    if (response.status === 401) throw new Error('Unauthorized');
    throw new Error(`unexpected status ${String(response.status)}`);
  };
}
