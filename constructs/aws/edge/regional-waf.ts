import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  and, apiKeyRateRule, BASELINE_MANAGED_GROUPS, headerEquals, ipRateRule, ipSetMatch, managedGroup, not, or, pathEquals,
  redactedHeaders, sizeCapRule, visibility,
} from './waf-rules';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { REGIONAL_WEB_ACL_SCOPE } from '../../../lib/spec/contracts/names';
import { keyOrCreate } from '../common/encryption-key';
import { PlatformNames } from '../common/names';

/** What the account-takeover prevention rule group inspects. */
export interface AccountTakeoverOptions {
  /** The sign-in path, e.g. `/v1/login`. */
  readonly loginPath: string;
  /** JSON pointer of the user name in the sign-in body, e.g. `/username`. */
  readonly usernameField: string;
  /** JSON pointer of the password in the sign-in body, e.g. `/password`. */
  readonly passwordField: string;
}

export interface RegionalWafProps {
  /** The resolved platform spec (rate limits, size caps, API-key header, edge options). */
  readonly spec: ResolvedSpec;
  /**
   * Require the origin-verify header that CloudFront adds, so the regional endpoints cannot be reached around the
   * edge. Both the secret's `current` and `previous` values are accepted while a rotation propagates. The health
   * route (public GET routes without path parameters) and the partner mTLS domain are exempt.
   * @default - spec.edge.cdn
   */
  readonly requireOriginVerify?: boolean;
  /**
   * Key of the WAF log group.
   * @default - a new customer-managed key with rotation
   */
  readonly logKey?: kms.IKey;
  /**
   * Sign-in inspection for account-takeover prevention (required when `spec.edge.accountTakeoverPrevention` is on).
   * @default - none
   */
  readonly accountTakeover?: AccountTakeoverOptions;
  /**
   * Suffix of the web ACL and log group names (several ACLs in one region).
   * @default - none
   */
  readonly nameSuffix?: string;
}

/** API Gateway body inspection limits a REGIONAL web ACL can be configured with. */
const BODY_INSPECTION_LIMITS: ReadonlyArray<readonly [number, string]> = [[16_384, 'KB_16'], [32_768, 'KB_32'], [49_152, 'KB_48'], [65_536, 'KB_64']];

/**
 * The regional web ACL in front of every API stage: AWS managed rule groups, rate limits per client IP and per
 * API key, size caps, the origin-verify requirement, and logging with credentials redacted to a KMS-encrypted
 * log group. IP and geo allow/deny rules live in the CloudFront-scope ACL (`EdgeDistribution`), which sees the
 * real client address.
 */
export class RegionalWaf extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  public readonly logKey: kms.IKey;
  public readonly loggingConfiguration: wafv2.CfnLoggingConfiguration;
  /** Web ACL ARN, for `SecureRestApi` and associations. */
  public readonly webAclArn: string;
  /** Whether requests must carry the origin-verify header (the edge cannot be bypassed). */
  public readonly requiresOriginVerify: boolean;

  constructor(scope: Construct, id: string, props: RegionalWafProps) {
    super(scope, id);
    const spec = props.spec;
    const edge = spec.edge;
    this.requiresOriginVerify = props.requireOriginVerify ?? edge.cdn;
    const maxBody = edge.maxBodyBytes;

    if (edge.accountTakeoverPrevention && !props.accountTakeover) {
      throw new PlatformValidationError('accountTakeover is required when spec.edge.accountTakeoverPrevention is true (received: undefined); pass { loginPath, usernameField, passwordField } of the sign-in route', this);
    }
    if (props.accountTakeover && !props.accountTakeover.loginPath.startsWith('/')) {
      throw new PlatformValidationError(`accountTakeover.loginPath must start with "/" (received: ${JSON.stringify(props.accountTakeover.loginPath)})`, this);
    }

    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    let priority = 0;
    if (this.requiresOriginVerify) rules.push(this.originVerifyRule(spec, priority++));
    rules.push(sizeCapRule(priority++, maxBody));
    const exemptIps = edge.allowCidrs.length > 0 ? this.ipSet('RateExempt', edge.allowCidrs) : undefined;
    // Behind the CDN every edge request arrives from CloudFront addresses: count per IP only the direct traffic
    // (partner mTLS domain, health checks), which carries no origin-verify header.
    const direct = this.requiresOriginVerify ? [not(this.originVerifyMatch(spec))] : [];
    const ipScope = [...direct, ...(exemptIps ? [not(exemptIps)] : [])];
    rules.push(ipRateRule(priority++, edge.rateLimitPerIp, ipScope.length > 0 ? and(ipScope) : undefined));
    rules.push(apiKeyRateRule(priority++, edge.rateLimitPerApiKey));
    for (const name of BASELINE_MANAGED_GROUPS) rules.push(managedGroup(name, priority++));
    if (edge.botControl) {
      rules.push(managedGroup('AWSManagedRulesBotControlRuleSet', priority++, {
        managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
      }));
    }
    if (edge.accountTakeoverPrevention && props.accountTakeover) {
      const atp = props.accountTakeover;
      rules.push(managedGroup('AWSManagedRulesATPRuleSet', priority++, {
        managedRuleGroupConfigs: [{
          awsManagedRulesAtpRuleSet: {
            loginPath: atp.loginPath,
            requestInspection: { payloadType: 'JSON', usernameField: { identifier: atp.usernameField }, passwordField: { identifier: atp.passwordField } },
          },
        }],
      }));
    }

    const suffix = props.nameSuffix ? `-${props.nameSuffix}` : '';
    const inspection = BODY_INSPECTION_LIMITS.find(([bytes]) => bytes >= maxBody)?.[1] ?? 'KB_64';
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: `${spec.name}-regional${suffix}`,
      scope: REGIONAL_WEB_ACL_SCOPE,
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility(`${spec.name}-regional${suffix}`),
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: inspection } } },
    });
    this.webAclArn = this.webAcl.attrArn;

    this.logKey = keyOrCreate(this, 'LogKey', props.logKey, `${spec.name} regional WAF logs`);
    const logGroupName = PlatformNames.wafLogGroup(spec, 'regional', props.nameSuffix);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: this.logKey,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loggingConfiguration = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the trailing `:*`.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: redactedHeaders(edge.apiKeyHeader, [PlatformNames.originVerifyHeader]),
    });
    this.loggingConfiguration.node.addDependency(this.logGroup);
  }

  /** Associates the web ACL with an API Gateway stage (or any regional resource). */
  public associate(id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    return new wafv2.CfnWebACLAssociation(this, id, { resourceArn, webAclArn: this.webAcl.attrArn });
  }

  /** CloudFormation dynamic references to the two accepted secret values (resolved at deploy, never in the template). */
  private originVerifyMatch(spec: ResolvedSpec): wafv2.CfnWebACL.StatementProperty {
    const name = PlatformNames.originVerifySecret(spec);
    return or(['current', 'previous'].map((field) =>
      headerEquals(PlatformNames.originVerifyHeader, `{{resolve:secretsmanager:${name}:SecretString:${field}}}`)));
  }

  private originVerifyRule(spec: ResolvedSpec, priority: number): wafv2.CfnWebACL.RuleProperty {
    const exempt: wafv2.CfnWebACL.StatementProperty[] = [this.originVerifyMatch(spec)];
    for (const r of spec.publicRoutes) {
      if ((r.method === 'GET' || r.method === 'HEAD') && !r.path.includes('{')) exempt.push(pathEquals(`/${r.version}${r.path}`));
    }
    const mtls = spec.domain?.mtls?.domainName;
    // The partner domain is reached directly and API Gateway enforces its client certificate; a Host header naming it
    // on the public domain is refused by API Gateway (STRICT endpoint access mode checks that SNI and Host agree).
    if (mtls) exempt.push(headerEquals('host', mtls));
    return {
      name: 'RequireOriginVerify',
      priority,
      action: { block: {} },
      statement: not(or(exempt)),
      visibilityConfig: visibility('RequireOriginVerify'),
    };
  }

  /** One IP set per address family (WAF sets hold one family), matched with OR. */
  private ipSet(id: string, cidrs: string[]): wafv2.CfnWebACL.StatementProperty {
    const families = [['V4', 'IPV4', cidrs.filter((c) => !c.includes(':'))], ['V6', 'IPV6', cidrs.filter((c) => c.includes(':'))]] as const;
    return or(families.filter(([, , list]) => list.length > 0).map(([suffix, version, list]) =>
      ipSetMatch(new wafv2.CfnIPSet(this, `${id}${suffix}`, { scope: REGIONAL_WEB_ACL_SCOPE, ipAddressVersion: version, addresses: [...list] }).attrArn)));
  }
}
