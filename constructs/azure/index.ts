/**
 * `secure-api-platform/azure`: the Azure renderer (CDKTF + @cdktf/provider-azurerm). Every cdktf import of the
 * project lives under constructs/azure, so moving to the community fork (cdktn) touches this folder only.
 */
export * from './platform';
export * from './network';
export * from './edge';
export * from './gateway';
export * from './keys';
export * from './audit';
export * from './governance';
export * from './compliance';
export * from './policies';
export * from '../../lib/compliance/terraform';
export * from './authorizer';
export * from './backends';
export * from './functions';
