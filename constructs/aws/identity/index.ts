export { cognitoIssuerConfig, type OidcFederation, PlatformIdentity, type PlatformIdentityProps } from './platform-identity';
