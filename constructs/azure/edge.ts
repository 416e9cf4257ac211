import { CdnFrontdoorCustomDomain } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-custom-domain';
import { CdnFrontdoorEndpoint } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-endpoint';
import { CdnFrontdoorFirewallPolicy, CdnFrontdoorFirewallPolicyCustomRule } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-firewall-policy';
import { CdnFrontdoorOrigin } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin';
import { CdnFrontdoorOriginGroup } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin-group';
import { CdnFrontdoorProfile } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-profile';
import { CdnFrontdoorRoute } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-route';
import { CdnFrontdoorSecurityPolicy } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-security-policy';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { AzureGatewayOrigin } from './gateway';
import { PlatformValidationError } from '../../lib/errors';
import { ResolvedSpec } from '../../lib/spec';

export interface AzureEdgeProps {
  /** The resolved platform spec: name, `edge` (rate limits, size cap, geo and IP rules), `domain`, the health route. */
  readonly spec: ResolvedSpec;
  /** Resource group holding the Front Door profile and the WAF policy. */
  readonly resourceGroup: ResourceGroup;
  /** The regional API Management gateways Front Door routes to (`AzureGateway.origins`), primary first. */
  readonly origins: readonly AzureGatewayOrigin[];
  /** Suffix that makes the Front Door endpoint name globally unique. */
  readonly nameSuffix: string;
  /**
   * Path of the origin group's health probe.
   * @default - the spec's public GET route whose path contains "health" (`/<api>/<version><path>`), else an APIM status path
   */
  readonly healthProbePath?: string;
}

/**
 * The edge: Front Door Premium (HTTPS only, TLS 1.2 minimum on the custom domain, managed certificate) with one
 * origin per region (API Management's regional gateways, certificate name check, health probes), and a WAF policy
 * in Prevention mode attached to every domain: Microsoft default rule set 2.1 and bot manager 1.1 blocking, and
 * custom rules from the spec — deny CIDRs, blocked countries, a Content-Length cap, rate limits per client IP and
 * per API-key header (allowlisted CIDRs exempt from the rate limits).
 */
export class AzureEdge extends Construct {
  public readonly frontDoor: CdnFrontdoorProfile;
  public readonly endpoint: CdnFrontdoorEndpoint;
  public readonly wafPolicy: CdnFrontdoorFirewallPolicy;
  public readonly originGroup: CdnFrontdoorOriginGroup;
  public readonly origins: readonly CdnFrontdoorOrigin[];
  public readonly customDomain?: CdnFrontdoorCustomDomain;
  public readonly route: CdnFrontdoorRoute;
  public readonly securityPolicy: CdnFrontdoorSecurityPolicy;

  constructor(scope: Construct, id: string, props: AzureEdgeProps) {
    super(scope, id);
    const { spec } = props;
    const n = spec.name;
    const rgName = props.resourceGroup.name;
    if (props.origins.length === 0) {
      throw new PlatformValidationError('origins must list at least one regional gateway (received: none); pass AzureGateway.origins', this);
    }
    this.frontDoor = new CdnFrontdoorProfile(this, 'FrontDoor', { name: `${n}-fd`, resourceGroupName: rgName, skuName: 'Premium_AzureFrontDoor', responseTimeoutSeconds: 60 });
    this.endpoint = new CdnFrontdoorEndpoint(this, 'Endpoint', { name: `${n}-${props.nameSuffix}`, cdnFrontdoorProfileId: this.frontDoor.id });
    this.wafPolicy = new CdnFrontdoorFirewallPolicy(this, 'Waf', {
      name: `${n.replace(/-/g, '')}waf`,
      resourceGroupName: rgName,
      skuName: 'Premium_AzureFrontDoor',
      mode: 'Prevention',
      enabled: true,
      requestBodyCheckEnabled: true,
      customBlockResponseStatusCode: 403,
      managedRule: [
        { type: 'Microsoft_DefaultRuleSet', version: '2.1', action: 'Block' },
        { type: 'Microsoft_BotManagerRuleSet', version: '1.1', action: 'Block' },
      ],
      customRule: wafCustomRules(spec),
    });
    const healthRoute = spec.routes.find((r) => r.public && r.method === 'GET' && /health/.test(r.path));
    this.originGroup = new CdnFrontdoorOriginGroup(this, 'OriginGroup', {
      name: 'apim',
      cdnFrontdoorProfileId: this.frontDoor.id,
      sessionAffinityEnabled: false,
      restoreTrafficTimeToHealedOrNewEndpointInMinutes: 5,
      loadBalancing: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
      healthProbe: {
        protocol: 'Https',
        intervalInSeconds: 30,
        requestType: 'GET',
        path: props.healthProbePath ?? (healthRoute ? `/${healthRoute.api}/${healthRoute.version}${healthRoute.path}` : '/status-0123456789abcdef'),
      },
    });
    this.origins = props.origins.map((o) => new CdnFrontdoorOrigin(this, `Origin-${o.region}`, {
      name: `apim-${o.region}`,
      cdnFrontdoorOriginGroupId: this.originGroup.id,
      hostName: o.hostName,
      originHostHeader: o.hostName,
      httpsPort: 443,
      certificateNameCheckEnabled: true,
      enabled: true,
      priority: 1,
      weight: 1000,
    }));
    if (spec.domain) {
      this.customDomain = new CdnFrontdoorCustomDomain(this, 'Domain', {
        name: spec.domain.domainName.replace(/\./g, '-'),
        cdnFrontdoorProfileId: this.frontDoor.id,
        hostName: spec.domain.domainName,
        tls: { certificateType: 'ManagedCertificate', minimumTlsVersion: 'TLS12' },
      });
    }
    const domains = this.customDomain ? [this.customDomain] : [];
    this.route = new CdnFrontdoorRoute(this, 'Route', {
      name: 'apis',
      cdnFrontdoorEndpointId: this.endpoint.id,
      cdnFrontdoorOriginGroupId: this.originGroup.id,
      cdnFrontdoorOriginIds: this.origins.map((o) => o.id),
      cdnFrontdoorCustomDomainIds: domains.map((d) => d.id),
      patternsToMatch: ['/*'],
      supportedProtocols: ['Https'],
      forwardingProtocol: 'HttpsOnly',
      httpsRedirectEnabled: false,
      linkToDefaultDomain: true,
    });
    this.securityPolicy = new CdnFrontdoorSecurityPolicy(this, 'WafAttachment', {
      name: `${n}-waf`,
      cdnFrontdoorProfileId: this.frontDoor.id,
      securityPolicies: {
        firewall: {
          cdnFrontdoorFirewallPolicyId: this.wafPolicy.id,
          association: { patternsToMatch: ['/*'], domain: [this.endpoint, ...domains].map((d) => ({ cdnFrontdoorDomainId: d.id })) },
        },
      },
    });
  }
}

/** The WAF policy's custom rules from the spec's `edge` section, in priority order. */
export function wafCustomRules(spec: ResolvedSpec): CdnFrontdoorFirewallPolicyCustomRule[] {
  const e = spec.edge;
  const rules: CdnFrontdoorFirewallPolicyCustomRule[] = [];
  const exempt = e.allowCidrs.length > 0 ? [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', negationCondition: true, matchValues: e.allowCidrs }] : [];
  if (e.denyCidrs.length > 0) {
    rules.push({ name: 'DenyCidrs', type: 'MatchRule', priority: 10, action: 'Block', matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', matchValues: e.denyCidrs }] });
  }
  if (e.blockCountries.length > 0) {
    rules.push({ name: 'BlockCountries', type: 'MatchRule', priority: 20, action: 'Block', matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'GeoMatch', matchValues: e.blockCountries }] });
  }
  rules.push({
    name: 'MaxBodySize',
    type: 'MatchRule',
    priority: 30,
    action: 'Block',
    matchCondition: [{ matchVariable: 'RequestHeader', selector: 'Content-Length', operator: 'GreaterThan', matchValues: [String(e.maxBodyBytes)] }],
  });
  rules.push({
    name: 'RateLimitPerIp',
    type: 'RateLimitRule',
    priority: 40,
    action: 'Block',
    rateLimitDurationInMinutes: 5,
    rateLimitThreshold: e.rateLimitPerIp,
    matchCondition: [{ matchVariable: 'RemoteAddr', operator: 'IPMatch', matchValues: ['0.0.0.0/0', '::/0'] }, ...exempt],
  });
  rules.push({
    name: 'RateLimitPerApiKey',
    type: 'RateLimitRule',
    priority: 50,
    action: 'Block',
    rateLimitDurationInMinutes: 5,
    rateLimitThreshold: e.rateLimitPerApiKey,
    matchCondition: [{ matchVariable: 'RequestHeader', selector: e.apiKeyHeader, operator: 'Any', matchValues: [] }, ...exempt],
  });
  return rules;
}
