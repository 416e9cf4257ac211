export * from './spec';
export * from './compliance';
export * from './errors';
