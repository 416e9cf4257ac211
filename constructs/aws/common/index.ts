export * from './lambda-runtime';
export * from './names';
export * from './security-headers';
export * from './encryption-key';
export * from './issuers';
