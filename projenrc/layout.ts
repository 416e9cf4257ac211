/**
 * The aws-cdk-lib range the package supports: one home for .projenrc.ts (peer dependency, dev dependency) and the
 * consumer test (which installs both ends). The floor was found by test (`npm run test:consumer`): cdk-nag 3 needs
 * 2.257.0, the constructs use `aws-cdk-lib/aws-cloudhsm` (first exported by 2.268.0), and they acknowledge rules whose
 * ids hold `::` (`AwsSolutions-IAM5[Resource::…]`), which 2.268.0 alone refuses.
 */
export const MIN_AWS_CDK_LIB = '2.269.0';
/** The release development builds and tests run on. */
export const AWS_CDK_LIB_CURRENT = '2.276.0';

/**
 * Package entry points (export path → source module without extension), one per audience: `.` and `./spec` load
 * neither cloud library, `./compliance` and `./aws` load aws-cdk-lib and cdk-nag (never cdktf), `./azure` loads cdktf
 * (never aws-cdk-lib or cdk-nag). test/package/entry-points.test.ts checks each.
 */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  '.': 'lib/index',
  './spec': 'lib/spec/index',
  './compliance': 'lib/compliance/index',
  './aws': 'constructs/aws/index',
  './azure': 'constructs/azure/index',
  './authorizer': 'lib/authorizer/index',
};

/** Every tsconfig the `typecheck` task runs: together they cover every TypeScript file of the repository. */
export const TYPECHECK_PROJECTS: readonly string[] = [
  'tsconfig.json', 'test/tsconfig.json', 'examples/tsconfig.json', 'bench/tsconfig.json', 'scripts/tsconfig.json', 'projenrc/tsconfig.json',
];
