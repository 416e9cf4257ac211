/** The Cognito issuer URL of a user pool in `region` (a pure function of the pool id). */
export function cognitoIssuerUrl(region: string, userPoolId: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://cognito-idp.${region}.${suffix}/${userPoolId}`;
}
