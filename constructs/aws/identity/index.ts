export * from './platform-identity';
