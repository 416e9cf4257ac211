export * from './platform-keys';
export * from './origin-verify-secret';
export * from './cloudhsm-key-store';
