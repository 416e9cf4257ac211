export * from './types';
export * from './profiles';
export * from './validate';
export * from './resolve';
export * from './contracts/limits';
export * from './contracts/route-layout';
export * from './contracts/identity';
export * from './http';
export { SecureApiPlatformError } from './errors';
