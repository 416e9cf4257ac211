// The package root (`@secure-api-platform/platform`): cloud-neutral, it loads neither aws-cdk-lib, cdk-nag nor cdktf.
// The compliance packs are `/compliance`, the renderers `/aws` and `/azure` (projenrc/layout.ts lists every entry point).
export * from './spec';
export * from './errors';
