import type { ResolvedSpec } from './resolve';
import type { IssuerConfig } from '../authorizer/config';

/**
 * The spec's external OIDC issuers as authorizer issuer entries: what the AWS Lambda authorizer and the Azure
 * authorizer function are both configured with.
 */
export function externalIssuerConfigs(spec: ResolvedSpec): IssuerConfig[] {
  return spec.issuers.map((i) => ({
    issuer: i.issuer,
    jwksUri: i.jwksUri,
    audience: [...i.audience],
    // One type on both sides (SignatureAlgorithm): the authorizer verifies every algorithm the spec accepts.
    algorithms: [...i.algorithms],
    tenantClaim: i.tenantClaim,
    ...(i.tenants ? { tenants: [...i.tenants] } : {}),
  }));
}
