export { type AccountTakeoverOptions, RegionalWaf, type RegionalWafProps } from './regional-waf';
export { EdgeDistribution, type EdgeDistributionProps } from './edge-distribution';
