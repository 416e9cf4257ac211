export * from './metrics';
export * from './logs';
