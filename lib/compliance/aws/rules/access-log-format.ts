import { CfnResource } from 'aws-cdk-lib';
import { at, DEFAULT_RULE_CONTEXT, isObject, isUnresolved, Json, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext } from '../rule';

/** The fields every access log line must carry, each as the `$context` variables that may supply it. */
export const REQUIRED_ACCESS_LOG_FIELDS: Readonly<Record<string, RegExp>> = {
  requestId: /^\$context\.(requestId|extendedRequestId)$/,
  principal: /^\$context\.(authorizer\.principalId|identity\.caller|identity\.userArn|identity\.user|authorizer\.claims\.sub|authorizer\.jwt\.claims\.sub)$/,
  tenant: /^\$context\.authorizer\.(claims\.|jwt\.claims\.)?[A-Za-z_]*tenant[A-Za-z_]*$/i,
  authorizerError: /^\$context\.authorizer\.error$/,
  wafStatus: /^\$context\.(waf\.status|wafResponseCode)$/,
};

/** The `$context` variables a JSON access log format writes, or undefined when it is not a JSON object. */
export function accessLogVariables(format: string): string[] | undefined {
  // Unquoted variables ("status": $context.status) render as numbers: make the template parseable first.
  const parseable = format.replace(/(:\s*)(\$context\.[A-Za-z0-9_.]+)/g, '$1"$2"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(parseable);
  } catch {
    return undefined;
  }
  if (!isObject(parsed as Json)) return undefined;
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(...(v.match(/\$context\.[A-Za-z0-9_.]+/g) ?? []));
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(parsed);
  return out;
}

/** API stages write JSON access logs carrying request id, caller/principal, tenant, authorizer error and WAF status. */
export function AccessLogFormat(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::Stage' && type !== 'AWS::ApiGatewayV2::Stage') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  const setting = type === 'AWS::ApiGateway::Stage' ? props.AccessLogSetting : props.AccessLogSettings;
  const format = at(setting, 'Format');
  if (at(setting, 'DestinationArn') === undefined || typeof format !== 'string' || isUnresolved(format)) return NagRuleCompliance.NON_COMPLIANT;
  const vars = accessLogVariables(format);
  if (vars === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const ok = Object.values(REQUIRED_ACCESS_LOG_FIELDS).every((re) => vars.some((v) => re.test(v)));
  return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const AccessLogFormatRule: PlatformRule = {
  check: AccessLogFormat,
  meta: {
    name: 'AccessLogFormat',
    requirement: 'Every API stage writes JSON access logs with the request id, caller/principal, tenant, authorizer error and WAF status.',
    info: 'The API stage has no access log, or its format is not a JSON object with every required field.',
    explanation: 'Audit records must identify the user, the event, its outcome and origin (PCI DSS 10.2.2). Log $context.requestId, $context.authorizer.principalId, the tenant from the authorizer context, $context.authorizer.error and $context.waf.status as JSON.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::Stage', 'AWS::ApiGatewayV2::Stage'],
    pci: ['10.2.1', '10.2.2'],
    hipaa: ['164.312(b)'],
    nist: ['AU-2', 'AU-3', 'AU-12'],
    awsSolutions: false,
  },
};
