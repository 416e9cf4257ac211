export { ApiDomains, type ApiDomainsProps } from './api-domains';
export { AuthorizerFunction, type AuthorizerFunctionProps } from './authorizer-function';
export { SecureRestApi, type SecureRestApiProps, type WebAclRef } from './secure-rest-api';
