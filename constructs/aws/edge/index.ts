export * from './waf-rules';
export * from './regional-waf';
export * from './edge-distribution';
