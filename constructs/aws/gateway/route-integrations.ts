import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { SecureRestApiProps } from './secure-rest-api';
import { ApiSpec, ResolvedRoute } from '../../../lib/spec';

/**
 * The integration of a route: the Lambda backend by proxy, or the HTTP / private (VPC link) backend with the tenant and
 * principal from the authorizer (overwriting anything a client sent) and the request id.
 */
export function integrationFor(route: ResolvedRoute, apiSpec: ApiSpec, props: Pick<SecureRestApiProps, 'backend' | 'vpcLink'>, kind: string, pathParams: string[]): apigw.Integration {
  const timeout = Duration.millis(route.timeoutMs);
  if (kind === 'lambda' && props.backend) {
    // The invoke permission is granted once for the whole API (grantApiInvoke): one per method would pass Lambda's
    // 20 KB resource-policy limit at a few dozen routes.
    return new apigw.AwsIntegration({ proxy: true, service: 'lambda', path: `2015-03-31/functions/${props.backend.functionArn}/invocations`, options: { timeout } });
  }
  const base = (apiSpec.backend?.url ?? '').replace(/\/$/, '');
  const requestParameters: Record<string, string> = {
    // The tenant and principal come from the authorizer and overwrite anything a client sent.
    'integration.request.header.x-tenant-id': 'context.authorizer.tenantId',
    'integration.request.header.x-principal-id': 'context.authorizer.principalId',
    'integration.request.header.x-request-id': 'context.requestId',
  };
  if (route.public) {
    delete requestParameters['integration.request.header.x-tenant-id'];
    delete requestParameters['integration.request.header.x-principal-id'];
  }
  for (const p of pathParams) requestParameters[`integration.request.path.${p}`] = `method.request.path.${p}`;
  return new apigw.HttpIntegration(`${base}${route.path}`, {
    proxy: true,
    httpMethod: route.method,
    options: {
      timeout,
      requestParameters,
      ...(kind === 'private' ? { connectionType: apigw.ConnectionType.VPC_LINK, vpcLink: props.vpcLink } : {}),
    },
  });
}

/** A CloudFormation-safe model / operation name from a route key: `GET /orders/{id}` → `GetOrdersId`. */
export function modelId(key: string): string {
  return key.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
}
