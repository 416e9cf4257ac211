import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as shield from 'aws-cdk-lib/aws-shield';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { apiKeyRateRule, BASELINE_MANAGED_GROUPS, ipRateRule, ipSetMatch, managedGroup, not, or, redactedHeaders, sizeCapRule, visibility } from './waf-rules';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { CACHE_CONTROL_HEADER, HSTS_MAX_AGE_SECONDS, ResolvedSpec, SECURITY_HEADERS } from '../../../lib/spec';
import { ORIGIN_VERIFY_DISTRIBUTION_TAG } from '../../../lib/spec/contracts/names';
import { keyOrCreate } from '../common/encryption-key';
import { PlatformNames } from '../common/names';

export interface EdgeDistributionProps {
  readonly spec: ResolvedSpec;
  /**
   * Certificate of `spec.domain.domainName` in us-east-1.
   * @default - a new ACM certificate validated by DNS in `spec.domain.hostedZone`
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Key of the CLOUDFRONT web ACL's log group (us-east-1).
   * @default - a new customer-managed key with rotation
   */
  readonly logKey?: kms.IKey;
  /**
   * Viewer TLS policy. Only the 2025 policies are accepted.
   * @default cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025 (the spec's TLS policies are all TLS 1.3)
   */
  readonly minimumProtocolVersion?: cloudfront.SecurityPolicyProtocol;
  /**
   * Shield Advanced protections for the distribution and the hosted zone, a protection group and proactive
   * engagement. A paid subscription (USD 3,000 a month per organization, 1-year commitment) that must already
   * be active in the account.
   * @default - spec.edge.shieldAdvanced
   */
  readonly shieldAdvanced?: boolean;
}

const ALLOWED_VIEWER_POLICIES = new Set<string>([cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025, cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025]);

/**
 * The CDN in front of the public APIs (us-east-1 stack): CloudFront with a TLS 1.3 (or 1.2_2025) viewer policy,
 * HTTPS to the regional origin domain with the origin-verify header (the secret's `current` value, resolved at
 * deploy from its us-east-1 replica), no caching, a security response-headers policy (plus Deprecation/Sunset
 * on deprecated versions), a CLOUDFRONT web ACL with the geo and IP rules (it sees the real client) and logging,
 * and optionally Shield Advanced.
 */
export class EdgeDistribution extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  /** CloudFront access logs (standard logging v2, JSON). */
  public readonly accessLogGroup: logs.LogGroup;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  public readonly shieldProtections: shield.CfnProtection[] = [];
  /** The public domain's A and AAAA alias records to the distribution. */
  public readonly aliasRecords: route53.RecordSet[];

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    const domain = spec.domain;
    if (!domain) {
      throw new PlatformValidationError('spec.domain is required by EdgeDistribution (received: undefined); CloudFront serves the public domain and reaches the regional APIs at origin.<domain>', this);
    }
    if (!Token.isUnresolved(stack.region) && stack.region !== 'us-east-1') {
      throw new PlatformValidationError(`EdgeDistribution must be in a us-east-1 stack: CLOUDFRONT web ACLs and CloudFront certificates live there (received: ${stack.region})`, this);
    }
    const viewerPolicy = props.minimumProtocolVersion ?? cloudfront.SecurityPolicyProtocol.TLS_V1_3_2025;
    if (!ALLOWED_VIEWER_POLICIES.has(viewerPolicy)) {
      throw new PlatformValidationError(`minimumProtocolVersion must be TLSv1.3_2025 or TLSv1.2_2025 (received: ${viewerPolicy}); older policies allow weak ciphers`, this);
    }
    const useShield = props.shieldAdvanced ?? spec.edge.shieldAdvanced;
    if (useShield && spec.edge.emergencyContacts.length === 0) {
      throw new PlatformValidationError('spec.edge.emergencyContacts must list at least one contact when Shield Advanced is on (received: []); proactive engagement needs someone to call', this);
    }

    // The CLOUDFRONT web ACL: geo and IP rules here, where the real client address is seen.
    const edge = spec.edge;
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    let priority = 0;
    if (edge.denyCidrs.length > 0) {
      rules.push({ name: 'DenyCidrs', priority: priority++, action: { block: {} }, statement: this.ipSets('Deny', edge.denyCidrs), visibilityConfig: visibility('DenyCidrs') });
    }
    if (edge.blockCountries.length > 0) {
      rules.push({ name: 'BlockCountries', priority: priority++, action: { block: {} }, statement: { geoMatchStatement: { countryCodes: edge.blockCountries } }, visibilityConfig: visibility('BlockCountries') });
    }
    rules.push(sizeCapRule(priority++, edge.maxBodyBytes));
    rules.push(ipRateRule(priority++, edge.rateLimitPerIp, edge.allowCidrs.length > 0 ? not(this.ipSets('RateExempt', edge.allowCidrs)) : undefined));
    rules.push(apiKeyRateRule(priority++, edge.rateLimitPerApiKey));
    for (const name of BASELINE_MANAGED_GROUPS) rules.push(managedGroup(name, priority++));
    if (edge.botControl) {
      rules.push(managedGroup('AWSManagedRulesBotControlRuleSet', priority++, { managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }] }));
    }
    const bodyLimit = edge.maxBodyBytes <= 16_384 ? 'KB_16' : edge.maxBodyBytes <= 32_768 ? 'KB_32' : edge.maxBodyBytes <= 49_152 ? 'KB_48' : 'KB_64';
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${spec.name}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility(`${spec.name}-edge`),
      associationConfig: { requestBody: { CLOUDFRONT: { defaultSizeInspectionLimit: bodyLimit } } },
    });
    const logKey = keyOrCreate(this, 'LogKey', props.logKey, `${spec.name} CloudFront web ACL logs`);
    const logGroupName = PlatformNames.wafLogGroup(spec, 'cloudfront');
    this.logGroup = new logs.LogGroup(this, 'WafLogs', { logGroupName, encryptionKey: logKey, retention: spec.audit.logRetentionDays as logs.RetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: redactedHeaders(edge.apiKeyHeader),
    });
    logging.node.addDependency(this.logGroup);

    // Responses: security headers at the edge (API Gateway cannot add them to Lambda proxy responses).
    this.responseHeadersPolicy = this.headersPolicy('SecurityHeaders', `${spec.name}-security-headers`, []);
    const origin = new origins.HttpOrigin(PlatformNames.originDomain(spec)!, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      customHeaders: { [PlatformNames.originVerifyHeader]: `{{resolve:secretsmanager:${PlatformNames.originVerifySecret(spec)}:SecretString:current}}` },
      readTimeout: Duration.seconds(30),
    });
    const behavior = (policy: cloudfront.IResponseHeadersPolicy): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: policy,
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    for (const api of spec.apis.filter((a) => a.deprecation && (a.public ?? true))) {
      const sunset = new Date(api.deprecation!.sunset).toUTCString();
      const policy = this.headersPolicy(`Deprecated-${api.version}`, `${spec.name}-${api.version}-deprecated`, [
        { header: 'Deprecation', value: 'true', override: true }, { header: 'Sunset', value: sunset, override: true },
      ]);
      additionalBehaviors[`/${api.version}/*`] = behavior(policy);
    }
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZone.hostedZoneId, zoneName: domain.hostedZone.zoneName });
    this.distribution = new cloudfront.Distribution(this, 'Resource', {
      comment: `${spec.name} public APIs`,
      domainNames: [domain.domainName],
      certificate: props.certificate ?? new acm.Certificate(this, 'Certificate', { domainName: domain.domainName, validation: acm.CertificateValidation.fromDns(zone) }),
      minimumProtocolVersion: viewerPolicy,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      webAclId: this.webAcl.attrArn,
      defaultBehavior: behavior(this.responseHeadersPolicy),
      additionalBehaviors,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
    });
    // The origin-verify rotation may update only the distribution carrying this tag (its id is unknown to it).
    Tags.of(this.distribution).add(ORIGIN_VERIFY_DISTRIBUTION_TAG, spec.name);
    // Access logs (CloudFront standard logging v2) to a KMS-encrypted log group in JSON.
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { encryptionKey: logKey, retention: spec.audit.logRetentionDays as logs.RetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    const source = new logs.CfnDeliverySource(this, 'AccessLogSource', { name: `${spec.name}-cdn-access`, resourceArn: this.distribution.distributionArn, logType: 'ACCESS_LOGS' });
    const destination = new logs.CfnDeliveryDestination(this, 'AccessLogDestination', { name: `${spec.name}-cdn-access`, destinationResourceArn: this.accessLogGroup.logGroupArn, outputFormat: 'json' });
    const delivery = new logs.CfnDelivery(this, 'AccessLogDelivery', { deliverySourceName: `${spec.name}-cdn-access`, deliveryDestinationArn: destination.attrArn });
    delivery.addResourceDependency(source);
    acknowledge(this.distribution, 'AwsSolutions-CFR3', 'Access logging uses CloudFront standard logging v2 (AWS::Logs::DeliverySource/Delivery in this construct) into a KMS-encrypted CloudWatch log group with the platform retention; the rule only recognizes the legacy S3 Logging property');
    if (edge.blockCountries.length > 0) {
      acknowledge(this.distribution, 'AwsSolutions-CFR1', `Geo restrictions are enforced by the associated CLOUDFRONT web ACL (BlockCountries rule: ${edge.blockCountries.join(', ')}), which also logs every blocked request; CloudFront's own geo restriction would duplicate it without logging`,
        'spec.edge.blockCountries is set');
    } else {
      acknowledge(this.distribution, 'AwsSolutions-CFR1', 'The spec restricts no country (spec.edge.blockCountries is empty): the API is offered worldwide by the owner\'s choice, recorded here; every request still passes the CLOUDFRONT web ACL (IP rules, rate limits, managed rules)',
        'spec.edge.blockCountries is empty');
    }

    // The public domain's records: IPv4 and IPv6 aliases to the distribution (HTTP/2 and 3 serve both).
    const target = route53.RecordTarget.fromAlias(new route53targets.CloudFrontTarget(this.distribution));
    this.aliasRecords = [
      new route53.ARecord(this, 'AliasA', { zone, recordName: domain.domainName, target }),
      new route53.AaaaRecord(this, 'AliasAAAA', { zone, recordName: domain.domainName, target }),
    ];

    if (useShield) this.addShield(spec, domain.hostedZone.hostedZoneId);
  }

  private headersPolicy(id: string, name: string, customHeaders: cloudfront.ResponseCustomHeader[]): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, id, {
      responseHeadersPolicyName: name,
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, preload: true, override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: SECURITY_HEADERS['Content-Security-Policy'], override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: CACHE_CONTROL_HEADER, value: SECURITY_HEADERS[CACHE_CONTROL_HEADER], override: true }, ...customHeaders],
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });
  }

  private ipSets(id: string, cidrs: string[]): wafv2.CfnWebACL.StatementProperty {
    const families = [['V4', 'IPV4', cidrs.filter((c) => !c.includes(':'))], ['V6', 'IPV6', cidrs.filter((c) => c.includes(':'))]] as const;
    return or(families.filter(([, , list]) => list.length > 0).map(([suffix, version, list]) =>
      ipSetMatch(new wafv2.CfnIPSet(this, `${id}${suffix}`, { scope: 'CLOUDFRONT', ipAddressVersion: version, addresses: [...list] }).attrArn)));
  }

  private addShield(spec: ResolvedSpec, hostedZoneId: string): void {
    const stack = Stack.of(this);
    const zoneArn = stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: hostedZoneId });
    this.shieldProtections.push(
      new shield.CfnProtection(this, 'ShieldDistribution', { name: `${spec.name}-distribution`, resourceArn: this.distribution.distributionArn }),
      new shield.CfnProtection(this, 'ShieldHostedZone', { name: `${spec.name}-hosted-zone`, resourceArn: zoneArn }),
    );
    const group = new shield.CfnProtectionGroup(this, 'ShieldGroup', {
      protectionGroupId: `${spec.name}-edge`,
      aggregation: 'MAX',
      pattern: 'ARBITRARY',
      members: [this.distribution.distributionArn, zoneArn],
    });
    for (const p of this.shieldProtections) group.node.addDependency(p);
    new shield.CfnProactiveEngagement(this, 'ShieldEngagement', {
      proactiveEngagementStatus: 'ENABLED',
      emergencyContactList: spec.edge.emergencyContacts.map((c) => ({ emailAddress: c.email, phoneNumber: c.phone, contactNotes: c.note })),
    });
  }
}
