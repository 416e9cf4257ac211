import { JsonFile, javascript, typescript } from 'projen';
import { AWS_CDK_LIB_CURRENT, ENTRY_POINTS, MIN_AWS_CDK_LIB, TYPECHECK_PROJECTS } from './projenrc/layout';

/**
 * The project's definition. package.json, tsconfig*.json, .eslintrc.json, .gitignore, .npmignore and
 * .projen/ are generated from this file: change it and run `npx projen`, never edit those by hand.
 */
const project = new typescript.TypeScriptProject({
  // A scope the project owns: an unscoped name is first come, first served on the registry.
  name: '@secure-api-platform/platform',
  description:
    'Security-first, multi-region API platform constructs for AWS (CDK) and Azure (CDKTF) with compliance evidence at every synth.',
  license: 'Apache-2.0',
  copyrightOwner: 'Secure API Platform contributors',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  npmAccess: javascript.NpmAccess.PUBLIC,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.9.3',
  // projen's defaults clash with the layout: `lib/` is source here, so build to dist/.
  srcdir: '.',
  libdir: 'dist',
  testdir: 'test',
  entrypoint: 'dist/lib/index.js',
  entrypointTypes: 'dist/lib/index.d.ts',
  sampleCode: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  prettier: false,
  package: false,
  docgen: false,
  // The app's own aws-cdk-lib and constructs: one copy in a consumer's tree (a nested copy breaks Stage validation).
  // The floor is the oldest aws-cdk-lib the consumer test synthesizes with (test/consumer, `npm run test:consumer`).
  peerDeps: [
    `aws-cdk-lib@^${MIN_AWS_CDK_LIB}`, 'constructs@^10.5.1', 'cdktf@^0.21.0', '@cdktf/provider-azurerm@^14.23.1',
    // The operators' CLI loads these only for `--cloud azure`.
    '@azure/data-tables@^13.3.2', '@azure/identity@^4.14.1',
  ],
  // Development builds and tests run on the current releases; the consumer test also runs the floor.
  peerDependencyOptions: { pinnedDevDependency: false },
  deps: [
    'cdk-nag@^3.0.2',
    'aws-jwt-verify@^5.2.1',
    '@cedar-policy/cedar-wasm@^4.13.0',
    // AWS SDK v3 releases after the first week of January 2027 require Node 22; the library supports Node 20, so each
    // client stays on the release line it is tested with (patch updates only).
    '@aws-sdk/client-dynamodb@~3.1162.0',
    '@aws-sdk/lib-dynamodb@~3.1162.0',
    '@aws-sdk/client-api-gateway@~3.1142.0',
    '@aws-sdk/client-cloudwatch-logs@~3.1169.0',
    '@aws-sdk/client-sts@~3.1169.0',
    '@aws-sdk/client-iam@~3.1169.0',
    '@aws-lambda-powertools/logger@~2.35.0',
    '@aws-lambda-powertools/metrics@~2.35.0',
    '@aws-lambda-powertools/idempotency@~2.35.0',
    'ajv-draft-04@^1.0.0',
    'ajv@^8.20.0',
    'commander@^14.0.0',
  ],
  devDeps: [
    `aws-cdk-lib@^${AWS_CDK_LIB_CURRENT}`,
    'constructs@^10.8.1',
    'cdktf@^0.21.0',
    '@cdktf/provider-azurerm@^14.23.1',
    'aws-cdk@^2.1148.1',
    'tsx@^4.23.0',
    'esbuild@^0.28.2',
    '@types/aws-lambda@^8.10.164',
    'eslint-plugin-security@^3.0.1',
    'secretlint@^13.0.6',
    '@secretlint/secretlint-rule-preset-recommend@^13.0.7',
    'dynalite@^4.0.0',
    'oidc-provider@^9',
    // An independent JWS signer for the authorizer's tests (ESM-only: run in a child process).
    'jose@^6',
    'fast-xml-parser@^5',
    // The Azure authorizer function: bundled ahead of synth with its SDKs, so none is a runtime dependency.
    '@azure/functions@^4.16.5',
    '@azure/data-tables@^13.3.2',
    '@azure/identity@^4.14.1',
    // 3.36 and later need Node 21.
    'azurite@~3.35.0',
    '@kusto/language-service-next@^12.4.1',
    '@microsoft/jest-sarif@1.0.0-beta.0',
    // Evaluates the synthesized resource and key policies against request contexts as AWS would (tests only).
    '@cloud-copilot/iam-simulate@~0.1.173',
  ],
  jestOptions: {
    jestVersion: '^29',
    // A snapshot that does not match must fail, never be rewritten.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    coverageText: false,
    junitReporting: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/cdk.out/', '/cdktf.out/'],
      collectCoverage: false,
      testTimeout: 60_000,
    },
  },
  tsJestOptions: {
    // Transpile only: type-checking is tsc's job (the compile task), not every test run's.
    transformOptions: { isolatedModules: true },
  },
  tsconfig: {
    include: ['lib/**/*.ts', 'constructs/**/*.ts'],
    exclude: ['node_modules', 'dist', 'test', 'bench', 'examples', 'cdk.out', 'cdktf.out'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'dist',
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      resolveJsonModule: true,
      esModuleInterop: true,
    },
  },
  tsconfigDev: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      resolveJsonModule: true,
      esModuleInterop: true,
    },
  },
  eslintOptions: {
    // CI reports lint errors instead of rewriting the code: `npm run eslint:fix` is the developers' task.
    commandOptions: { fix: false },
    dirs: ['lib', 'constructs'],
    devdirs: ['test', 'bench', 'examples', 'scripts'],
    ignorePatterns: ['*.js', '*.mjs', '*.d.ts', 'node_modules/', 'dist/', 'assets/', 'cdk.out/', 'cdktf.out/', 'coverage/', 'test-reports/'],
  },
  gitignore: ['/assets/', '/cdk.out/', '/cdktf.out/', '/test-reports/', '.cdk.staging/', '*.tsbuildinfo', '/bench/results/'],
});

// Type-aware eslint finds the nearest tsconfig.json: give the dev-only folders one each (never emitted).
for (const dir of ['examples', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..' }, include: ['**/*.ts'], exclude: ['node_modules'] },
  });
}

// Package entry points, one per audience (projenrc/layout.ts).
project.package.addField('exports', {
  ...Object.fromEntries(Object.entries(ENTRY_POINTS).map(([k, src]) => [k, { types: `./dist/${src}.d.ts`, default: `./dist/${src}.js` }])),
  './package.json': './package.json',
});
// Types of the subpaths for apps still on `moduleResolution: node` (CommonJS CDK apps), which ignore `exports`.
project.package.addField('typesVersions', {
  '*': Object.fromEntries(Object.entries(ENTRY_POINTS).filter(([k]) => k !== '.').map(([k, src]) => [k.slice(2), [`dist/${src}.d.ts`]])),
});
// cdktf and the azurerm provider only for Azure users; the Azure SDKs only for the CLI's `--cloud azure`.
project.package.addField('peerDependenciesMeta', {
  'cdktf': { optional: true },
  '@cdktf/provider-azurerm': { optional: true },
  '@azure/data-tables': { optional: true },
  '@azure/identity': { optional: true },
});
project.package.addField('bin', { 'secure-api-platform': 'dist/lib/cli/main.js' });
// unrs-resolver 1.13 (via eslint-import-resolver-typescript) names platform bindings the registry does not serve,
// so `npm ci` refuses the lock; 1.12.2 has every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });
project.package.addField('files', ['dist', 'assets', 'examples/policies', 'README.md', 'LICENSE']);

project.addTask('eslint:fix', {
  description: 'Runs eslint with --fix (developers; CI runs `eslint`, which only reports)',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  exec: 'eslint --ext .ts,.tsx --fix --no-error-on-unmatched-pattern lib constructs test bench examples scripts projenrc .projenrc.ts',
});

// eslint-plugin-security: the pipeline holds itself to what it asks of its users.
project.eslint?.addPlugins('security');
project.eslint?.addExtends('plugin:security/recommended-legacy');

// Layers the linter enforces (README "Architecture"). A violation fails `npm test` (its eslint step).
/** Runtime code: bundled into Lambda / Azure Functions packages, it never loads construct or synth-time code. */
const RUNTIME_DIRS = ['lib/authorizer', 'lib/triggers', 'lib/rotation', 'examples/backend', 'examples/aws/backend', 'examples/azure/backend'];
/** The cloud-neutral layers: the spec (contracts both clouds import) and the authorizer runtime. */
const NEUTRAL_DIRS = ['lib/spec', ...RUNTIME_DIRS];
const zone = (target: string | string[], from: string | string[], message: string) => ({ target, from, message });
const layerZones = [
  zone('./constructs/aws', './constructs/azure', 'constructs/aws and constructs/azure never import each other: share through lib/spec.'),
  zone('./constructs/azure', './constructs/aws', 'constructs/aws and constructs/azure never import each other: share through lib/spec.'),
  zone(['./lib', './constructs'], './examples', 'The library never imports the example: the example is a consumer of the library.'),
  zone(NEUTRAL_DIRS.map((d) => `./${d}`), ['./constructs', './lib/compliance', './lib/cli'],
    'The spec layer and runtime code (authorizer, triggers, rotation, backends) import no construct, compliance or CLI code: move the shared value into lib/spec.'),
  // lib/compliance in three honest layers: the cloud-neutral core (rule vocabulary, acknowledgment policy, evidence,
  // reports) imports neither cloud's layer; the cdk-nag (aws) and Terraform layers never import each other.
  zone(['./lib/compliance/!(index).ts', './lib/compliance/report/**'], ['./lib/compliance/aws', './lib/compliance/terraform'],
    'The compliance core is cloud-neutral: put what both clouds use in lib/compliance/*.ts, never import aws/ or terraform/ from it.'),
  zone('./lib/compliance/aws', './lib/compliance/terraform', 'The cdk-nag layer and the Terraform rule engine share only the compliance core.'),
  zone('./lib/compliance/terraform', './lib/compliance/aws', 'The cdk-nag layer and the Terraform rule engine share only the compliance core.'),
];
/** Only the example's own tests (test/examples, and test/contract, which drives the example app) import examples/. */
const testZone = zone('./test/!(examples|contract)/**', './examples',
  'Tests take their fixtures from test/fixtures; only test/examples/** (and test/contract) test the example itself.');
project.eslint?.addRules({ 'import/no-restricted-paths': ['error', { zones: [...layerZones, testZone] }] });
const cloudLibraries = {
  paths: ['aws-cdk-lib', 'cdktf', 'constructs', 'cdk-nag'].map((name) => ({ name, message: 'lib/spec, runtime code, the compliance core and the Terraform engine stay free of the cloud construct libraries.' })),
  patterns: [{ group: ['aws-cdk-lib/*', 'cdktf/*', '@cdktf/*', 'cdk-nag/*'], message: 'lib/spec, runtime code, the compliance core and the Terraform engine stay free of the cloud construct libraries.' }],
};
project.eslint?.addOverride({ files: NEUTRAL_DIRS.map((d) => `${d}/**/*.ts`), rules: { 'no-restricted-imports': ['error', cloudLibraries] } });
// The compliance core and the Terraform engine run without a construct library (the CLI, CI over a file, the cdktf adapter).
project.eslint?.addOverride({
  files: ['lib/compliance/*.ts', 'lib/compliance/report/**/*.ts', 'lib/compliance/terraform/**/*.ts'],
  excludedFiles: ['lib/compliance/index.ts'],
  rules: { 'no-restricted-imports': ['error', cloudLibraries] },
});

// The authorizer is bundled ahead of synth (no Docker, no esbuild at a consumer's synth).
const bundle = project.addTask('bundle:authorizer', {
  description: 'Bundles the Lambda authorizer with esbuild into assets/authorizer (the asset the constructs use)',
  exec: 'node scripts/bundle-authorizer.mjs',
});
const bundleBackend = project.addTask('bundle:backend', {
  description: 'Bundles the example orders backend into assets/orders-backend',
  exec: 'node scripts/bundle-backend.mjs',
});
const bundleAzure = project.addTask('bundle:azure', {
  description: 'Bundles the Azure Functions apps (authorizer) into zip packages in assets/',
  exec: 'node scripts/bundle-azure.mjs',
});
project.preCompileTask.spawn(bundle);
project.preCompileTask.spawn(bundleBackend);
project.preCompileTask.spawn(bundleAzure);
// No `prepare` (or any install-time) script: the published package would run it in consumers' installs, and projen
// is a dev dependency. The example's `cdk synth` (cdk.json) and `npm test` bundle ahead of themselves instead.

new JsonFile(project, '.secretlintrc.json', {
  obj: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] },
});
const secrets = project.addTask('secretlint', {
  description: 'Scans the repository for committed secrets',
  exec: 'secretlint --secretlintignore .gitignore "**/*"',
});

// npm test = bundle, jest, eslint, secret scan. Any failure fails the task.
project.testTask.reset();
project.testTask.spawn(bundle);
project.testTask.spawn(bundleBackend);
project.testTask.spawn(bundleAzure);
// jest writes its JSON results (read by .ci/run) but does not create the folder.
// Type-check every folder: jest (isolatedModules), tsx and esbuild strip types without checking them.
const typecheck = project.addTask('typecheck', {
  description: 'tsc --noEmit over every folder (lib, constructs, test, examples, bench, scripts, projenrc)',
  steps: TYPECHECK_PROJECTS.map((p) => ({ exec: `tsc --noEmit -p ${p}` })),
});
project.testTask.exec('node -e "require(\'fs\').mkdirSync(\'test-reports\', { recursive: true })"');
project.testTask.exec('jest --passWithNoTests --ci --json --outputFile=test-reports/jest-results.json', { receiveArgs: true });
project.testTask.spawn(typecheck);
project.testTask.spawn(project.eslint!.eslintTask);
project.testTask.spawn(secrets);

project.addTask('synth:aws', { description: 'Synthesizes the example multi-region AWS platform (cdk.json) with its example.com placeholders', exec: 'cdk synth --quiet -c allowPlaceholders=true' });
// Not part of `npm test` (it packs and installs): .ci/run runs it as its own task.
project.addTask('test:consumer', {
  description: 'Packs the library and installs the tarball into fresh apps (oldest and current aws-cdk-lib, and Azure) '
    + 'with --prefer-offline, then synthesizes the README snippets. Time budget: 30 minutes in all, 10 per install',
  steps: [{ spawn: project.compileTask.name }, { exec: 'tsx test/consumer/run.ts' }],
});
project.addTask('synth:azure', { description: 'Synthesizes the example Azure platform (cdktf.json) into cdktf.out', steps: [{ spawn: bundleAzure.name }, { exec: 'tsx examples/azure/main.ts' }] });
project.addTask('cli', { description: 'Runs the operators\' CLI from source (npx secure-api-platform once installed)', exec: 'tsx lib/cli/main.ts', receiveArgs: true });
project.addTask('report', { description: 'Re-renders the compliance reports from cdk.out into cdk.out/compliance', exec: 'tsx lib/cli/main.ts report --cdk-out cdk.out --format all' });
// The synth bench deploys the authorizer and backend bundles (gitignored build output): built first, as `cdk synth` does.
project.addTask('bench', {
  description: 'Runs the benchmarks (figures as ratios to a baseline measured in the same run)',
  steps: [{ spawn: bundle.name }, { spawn: bundleBackend.name }, { exec: 'tsx bench/run.ts', receiveArgs: true }],
});

project.synth();
