export * from './secure-api-platform';
export * from './platform-table';
export * from './backend-function';
export * from './region-parameters';
export * from './regional-failover';
export * from './operators-role';
