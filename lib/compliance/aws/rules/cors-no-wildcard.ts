import { CfnResource } from 'aws-cdk-lib';
import { isAuthorizedApi, restApiIdOf } from '../helpers';
import { at, DEFAULT_RULE_CONTEXT, isObject, isUnresolved, Json, JsonObject, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

const ORIGIN_HEADER = /\.header\.access-control-allow-origin$/i;

/** A static header value is `'*'` (API Gateway mapping syntax) or an intrinsic that cannot be read. */
function isWildcardOrUnknown(v: Json): boolean {
  if (isUnresolved(v)) return true;
  // Reflecting the request's Origin header is a wildcard in disguise.
  return typeof v === 'string' && (/^'?\s*\*\s*'?$/.test(v) || /^method\.request\.header\.origin$/i.test(v.trim()));
}

function allowsAnyOrigin(params: Json | undefined): boolean {
  return isObject(params) && Object.entries(params).some(([k, v]) => ORIGIN_HEADER.test(k) && isWildcardOrUnknown(v));
}

/** No authorized API answers `Access-Control-Allow-Origin: *` (gateway responses, OPTIONS integrations, HTTP API CORS). */
export function CorsNoWildcard(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  const props: JsonObject = type.startsWith('AWS::ApiGateway') ? propsOf(node) : {};
  switch (type) {
    case 'AWS::ApiGateway::GatewayResponse':
      if (!isAuthorizedApi(node, restApiIdOf(props))) return NagRuleCompliance.NOT_APPLICABLE;
      return verdict(!allowsAnyOrigin(props.ResponseParameters));
    case 'AWS::ApiGateway::Method': {
      const responses = at(props, 'Integration', 'IntegrationResponses');
      const methodHeaders = props.MethodResponses;
      const touchesCors = [responses, methodHeaders].some((list) => Array.isArray(list) && list.some((r) => isObject(at(r, 'ResponseParameters'))));
      if (!touchesCors || !isAuthorizedApi(node, restApiIdOf(props))) return NagRuleCompliance.NOT_APPLICABLE;
      return verdict(!(Array.isArray(responses) && responses.some((r) => allowsAnyOrigin(at(r, 'ResponseParameters')))));
    }
    case 'AWS::ApiGatewayV2::Api': {
      const origins = at(props, 'CorsConfiguration', 'AllowOrigins');
      if (origins === undefined) return NagRuleCompliance.NOT_APPLICABLE;
      return verdict(Array.isArray(origins) && !origins.some(isWildcardOrUnknown));
    }
    default:
      return NagRuleCompliance.NOT_APPLICABLE;
  }
}

export const CorsNoWildcardRule: PlatformRule = {
  check: CorsNoWildcard,
  meta: {
    name: 'CorsNoWildcard',
    requirement: 'APIs that require authorization never answer with a wildcard CORS origin (gateway responses, OPTIONS integrations, HTTP API CORS).',
    info: 'An authorized API sets Access-Control-Allow-Origin to * (or to a value that cannot be read).',
    explanation: 'A wildcard origin lets any web site script calls to the API in its users\' browsers. List the exact https origins (spec.cors.allowOrigins).',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::GatewayResponse', 'AWS::ApiGateway::Method', 'AWS::ApiGatewayV2::Api'],
    pci: ['6.2.4'],
    hipaa: ['164.312(a)(1)'],
    nist: ['AC-4', 'SC-7'],
    awsSolutions: true,
  },
};
