import { CfnResource } from 'aws-cdk-lib';
import { restApiIdOf } from '../helpers';
import { at, DEFAULT_RULE_CONTEXT, IndexedResource, logicalIdOf, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, referencedIds, RuleContext, stackIndex, verdict } from '../rule';

function isPrivateApi(api: IndexedResource | undefined): boolean {
  const types = at(api?.props, 'EndpointConfiguration', 'Types');
  return Array.isArray(types) && types.length > 0 && types.every((t) => t === 'PRIVATE');
}

/** Lambda functions behind a public API (authorizers and integrations) have reserved concurrency (a bulkhead). */
export function LambdaReservedConcurrency(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
  const fn = logicalIdOf(node);
  const index = stackIndex(node);
  // The APIs that invoke the function: as an authorizer, a REST integration or an HTTP API integration.
  const apis: (string | undefined)[] = [
    ...index.ofType('AWS::ApiGateway::Authorizer').filter((a) => referencedIds(a.props.AuthorizerUri).includes(fn)).map((a) => restApiIdOf(a.props)),
    ...index.ofType('AWS::ApiGateway::Method').filter((m) => referencedIds(at(m.props, 'Integration', 'Uri')).includes(fn)).map((m) => restApiIdOf(m.props)),
    ...index.ofType('AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer')
      .filter((i) => referencedIds(i.props.IntegrationUri ?? i.props.AuthorizerUri).includes(fn)).map((i) => restApiIdOf(i.props)),
  ];
  const publicApis = apis.filter((api) => api === undefined || !isPrivateApi(index.byId.get(api)));
  if (publicApis.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const reserved = propsOf(node).ReservedConcurrentExecutions;
  return verdict(typeof reserved === 'number' && reserved > 0);
}

export const LambdaReservedConcurrencyRule: PlatformRule = {
  check: LambdaReservedConcurrency,
  meta: {
    name: 'LambdaReservedConcurrency',
    requirement: 'Lambda functions behind a public API (authorizers and integrations) have reserved concurrency.',
    info: 'A function invoked by a public API has no reserved concurrency.',
    explanation: 'Without a bulkhead, a flood on one route exhausts the account\'s concurrency and takes down the authorizer and every other function. Set reservedConcurrentExecutions (spec.resilience).',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::Lambda::Function'],
    pci: [],
    hipaa: [],
    nist: ['SC-5', 'SC-6'],
    awsSolutions: true,
  },
};
