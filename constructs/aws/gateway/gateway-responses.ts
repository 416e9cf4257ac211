import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ApiSpec, DENIAL_MESSAGES, SECURITY_HEADERS } from '../../../lib/spec';

/** Gateway responses that get the security headers and a body that reveals nothing. */
const GATEWAY_RESPONSES: ReadonlyArray<readonly [string, apigw.ResponseType, string]> = [
  ['Default4xx', apigw.ResponseType.DEFAULT_4XX, 'Request rejected'],
  ['Default5xx', apigw.ResponseType.DEFAULT_5XX, 'Internal error'],
  ['Unauthorized', apigw.ResponseType.UNAUTHORIZED, DENIAL_MESSAGES[401]],
  ['AccessDenied', apigw.ResponseType.ACCESS_DENIED, DENIAL_MESSAGES[403]],
  ['AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE, 'Internal error'],
  ['AuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 'Internal error'],
  ['WafFiltered', apigw.ResponseType.WAF_FILTERED, DENIAL_MESSAGES[403]],
  ['Throttled', apigw.ResponseType.THROTTLED, 'Too many requests'],
  ['QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, 'Too many requests'],
  ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, 'Invalid request body'],
  ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, 'Invalid request parameters'],
];

/** `Deprecation` and `Sunset` headers of a deprecated API version (RFC 9745, RFC 8594). */
export function deprecationHeaders(api: ApiSpec): Record<string, string> {
  if (!api.deprecation) return {};
  const sunset = new Date(api.deprecation.sunset);
  return { Deprecation: 'true', Sunset: sunset.toUTCString() };
}

/** The gateway's own responses (4xx, 5xx, authorizer, WAF, throttling) with the security headers and a body that reveals nothing but the request id. */
export function addGatewayResponses(api: apigw.RestApi, apiSpec: ApiSpec): void {
  const headers = { ...SECURITY_HEADERS, ...deprecationHeaders(apiSpec) };
  const responseHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, `'${v}'`]));
  for (const [rid, type, message] of GATEWAY_RESPONSES) {
    api.addGatewayResponse(rid, {
      type,
      responseHeaders,
      templates: { 'application/json': JSON.stringify({ message, requestId: '$context.requestId' }) },
    });
  }
}
