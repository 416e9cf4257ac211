export * from './platform-keys';
export * from './origin-verify-secret';
export * from './cloudhsm-key-store';
export * from './platform-secret';
