// The `secure-api-platform/aws` entry point: the AWS renderer of the platform spec (aws-cdk-lib).
export * from './common';
export * from './edge';
export * from './gateway';
export * from './identity';
export * from './keys';
export * from './audit';
export * from './observability';
export * from './platform';
