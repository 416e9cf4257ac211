export * from './security-alarms';
export * from './account-baseline';
export * from './health-alarms';
