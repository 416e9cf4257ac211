import { IssuerConfig } from '../../../lib/authorizer/config';
import { ResolvedSpec } from '../../../lib/spec';

/** The spec's external OIDC issuers as authorizer issuer entries. */
export function externalIssuerConfigs(spec: ResolvedSpec): IssuerConfig[] {
  return spec.issuers.map((i) => ({
    issuer: i.issuer,
    jwksUri: i.jwksUri,
    audience: [...i.audience],
    // The spec's list is a superset of the authorizer's; validateAuthorizerConfig names any it cannot verify.
    algorithms: i.algorithms as NonNullable<IssuerConfig['algorithms']>,
    tenantClaim: i.tenantClaim,
    ...(i.tenants ? { tenants: [...i.tenants] } : {}),
  }));
}

/** The Cognito issuer URL of a user pool in `region` (a pure function of the pool id). */
export function cognitoIssuerUrl(region: string, userPoolId: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://cognito-idp.${region}.${suffix}/${userPoolId}`;
}
