export * from './types';
export * from './profiles';
export * from './validate';
export * from './resolve';
export * from './contracts/identity';
export * from './http';
