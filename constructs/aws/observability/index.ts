export * from './security-alarms';
export * from './account-baseline';
