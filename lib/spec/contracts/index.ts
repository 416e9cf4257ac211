export * from './metrics';
export * from './logs';
export * from './names';
