export * from './audit-archive';
export * from './audit-trail';
export * from './log-shipping';
