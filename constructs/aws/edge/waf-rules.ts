import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { API_KEY_SCHEME, AUTHORIZATION_HEADER } from '../../../lib/spec/contracts/identity';

type Rule = CfnWebACL.RuleProperty;
type Statement = CfnWebACL.StatementProperty;

/** AWS managed rule groups every web ACL runs, in priority order. */
export const BASELINE_MANAGED_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** Headers never written to WAF logs (credentials and the origin-verify secret). */
export function redactedHeaders(apiKeyHeader: string, extra: string[] = []): CfnWebACL.FieldToMatchProperty[] {
  return [...new Set([AUTHORIZATION_HEADER, 'cookie', apiKeyHeader, ...extra])].map((name) => ({ singleHeader: { Name: name } }));
}

export function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/** A managed rule group; the common rule set's 8 KB body rule is counted, not blocked, so the platform's own cap governs. */
export function managedGroup(name: string, priority: number, extra: Partial<CfnWebACL.ManagedRuleGroupStatementProperty> = {}): Rule {
  const overrides: CfnWebACL.RuleActionOverrideProperty[] = name === 'AWSManagedRulesCommonRuleSet'
    ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]
    : [];
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(overrides.length > 0 ? { ruleActionOverrides: overrides } : {}),
        ...extra,
      },
    },
    visibilityConfig: visibility(name),
  };
}

/** Blocks requests whose body, query string or Authorization header exceed the caps (oversized bodies match). */
export function sizeCapRule(priority: number, maxBodyBytes: number): Rule {
  const sizeOver = (fieldToMatch: CfnWebACL.FieldToMatchProperty, size: number): Statement => ({
    sizeConstraintStatement: { fieldToMatch, comparisonOperator: 'GT', size, textTransformations: [{ priority: 0, type: 'NONE' }] },
  });
  return {
    name: 'SizeCaps',
    priority,
    action: { block: {} },
    statement: {
      orStatement: {
        statements: [
          sizeOver({ body: { oversizeHandling: 'MATCH' } }, maxBodyBytes),
          sizeOver({ queryString: {} }, 2048),
          sizeOver({ singleHeader: { Name: AUTHORIZATION_HEADER } }, 8192),
          sizeOver({ uriPath: {} }, 1024),
        ],
      },
    },
    visibilityConfig: visibility('SizeCaps'),
  };
}

/** Rate limit per client IP (optionally scoped down). */
export function ipRateRule(priority: number, limit: number, scopeDown?: Statement): Rule {
  return {
    name: 'RatePerIp',
    priority,
    action: { block: {} },
    statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300, ...(scopeDown ? { scopeDownStatement: scopeDown } : {}) } },
    visibilityConfig: visibility('RatePerIp'),
  };
}

/**
 * Rate limit per API key: a custom aggregation key on the key header. Requests without the header are not counted
 * here (WAF cannot read JWT claims; per-tenant quotas are the usage plans' job).
 */
/**
 * Rate limit per API key. Keys travel as `Authorization: ApiKey <key>` (the header the authorizer and its gateway cache
 * read), so the rule counts requests per Authorization value, scoped down to that scheme.
 */
export function apiKeyRateRule(priority: number, limit: number): Rule {
  return {
    name: 'RatePerApiKey',
    priority,
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit,
        aggregateKeyType: 'CUSTOM_KEYS',
        evaluationWindowSec: 300,
        customKeys: [{ header: { name: AUTHORIZATION_HEADER, textTransformations: [{ priority: 0, type: 'NONE' }] } }],
        scopeDownStatement: {
          byteMatchStatement: {
            fieldToMatch: { singleHeader: { Name: AUTHORIZATION_HEADER } },
            positionalConstraint: 'STARTS_WITH',
            searchString: `${API_KEY_SCHEME.toLowerCase()} `,
            textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
          },
        },
      },
    },
    visibilityConfig: visibility('RatePerApiKey'),
  };
}

export function ipSetMatch(arn: string): Statement {
  return { ipSetReferenceStatement: { arn } };
}

export function not(statement: Statement): Statement {
  return { notStatement: { statement } };
}

export function and(statements: Statement[]): Statement {
  return statements.length === 1 ? statements[0] : { andStatement: { statements } };
}

export function or(statements: Statement[]): Statement {
  return statements.length === 1 ? statements[0] : { orStatement: { statements } };
}

export function headerEquals(header: string, value: string): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: header } },
      positionalConstraint: 'EXACTLY',
      searchString: value,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

export function pathEquals(path: string): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'EXACTLY',
      searchString: path,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}
