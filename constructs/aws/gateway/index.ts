export * from './api-domains';
export * from './authorizer-function';
export * from './secure-rest-api';
