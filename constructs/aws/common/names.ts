import { ResolvedSpec } from '../../../lib/spec';
import { ApiNames, ORIGIN_VERIFY_HEADER } from '../../../lib/spec/contracts/names';

/**
 * Names computed from the spec, so stacks in different regions agree on them without passing tokens across
 * stacks (no cross-region references, no reference cycles).
 */
export const PlatformNames = {
  /** Secrets Manager name of the origin-verify secret (created in the edge stack, replicated to every region). */
  originVerifySecret: (spec: ResolvedSpec): string => `${spec.name}/edge/origin-verify`,
  /** Header CloudFront adds and the regional WAF requires. */
  originVerifyHeader: ORIGIN_VERIFY_HEADER,
  /**
   * Domain name the regional APIs serve to the CDN (latency-routed to each region's TLS 1.3 custom domain).
   * Without a CDN the public domain itself is served by the regional APIs.
   */
  originDomain: (spec: ResolvedSpec): string | undefined => {
    const d = spec.domain?.domainName;
    if (!d) return undefined;
    return spec.edge.cdn ? `origin.${d}` : d;
  },
  /** WAF log group names must start with `aws-waf-logs-`. */
  wafLogGroup: (spec: ResolvedSpec, scope: 'regional' | 'cloudfront', suffix = ''): string =>
    `aws-waf-logs-${spec.name}-${scope}${suffix ? `-${suffix}` : ''}`,
  /** SSM parameter holding the user pool id (primary region). */
  userPoolIdParameter: (spec: ResolvedSpec): string => `/${spec.name}/identity/user-pool-id`,
  /** REST API name of one API version. */
  restApi: (spec: ResolvedSpec, api: string, version: string): string => ApiNames.restApi(spec.name, api, version),
} as const;
