// Bundles the Lambda authorizer ahead of synth: one CommonJS file for the nodejs24.x runtime, the AWS SDK left
// to the runtime, and the Cedar wasm copied next to the bundle (cedar-wasm's nodejs build reads it from __dirname).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir <dir>` builds elsewhere (the bundle test builds into a temporary folder, leaving assets/ alone).
const outArg = process.argv.indexOf('--outdir');
const outdir = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'assets', 'authorizer');
const require = createRequire(import.meta.url);
// The names of the files beside index.js: one home, read by the construct that stages the asset too.
const FILES = require('../lib/authorizer/bundle-files.json');

mkdirSync(outdir, { recursive: true });

// The AWS SDK's DynamoDB client (used only when a table is configured) as its own minified file beside the handler,
// tree-shaken from the SDK's ES modules: it loads in about half the time of the runtime's node_modules copy (one file,
// no package resolution), and keeps index.js small. index.js requires it lazily as ./aws-sdk-dynamodb.js.
const SDK_FILE = FILES.dynamodbClient;
/** One minified CommonJS file for Node, tree-shaken from the SDK's ES modules. */
const standalone = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], minify: true, legalComments: 'none', logLevel: 'warning' };
await build({
  stdin: {
    contents: "export { DynamoDBClient, GetItemCommand, BatchGetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';",
    resolveDir: root,
    loader: 'js',
  },
  outfile: join(outdir, SDK_FILE),
  ...standalone,
});
const sdkBeside = {
  name: 'aws-sdk-beside',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/client-dynamodb$/ }, () => ({ path: `./${SDK_FILE}`, external: true }));
  },
};

// The Cedar engine's adapter (lib/authorizer/cedar/wasm.ts) as its own file beside the handler: required only when a
// policy set falls back from the compiled engine, so index.js stays small and a compiled set never loads it.
const CEDAR_FILE = FILES.cedarAdapter;
await build({
  entryPoints: [join(root, 'lib', 'authorizer', 'cedar', 'wasm.ts')],
  outfile: join(outdir, CEDAR_FILE),
  ...standalone,
  external: ['@cedar-policy/cedar-wasm', '@cedar-policy/cedar-wasm/*'],
});
// The compiled Cedar engine (lexer, parser, compiler: lib/authorizer/cedar/policies.ts) beside the handler too, required
// only when policies are configured: an authorizer without policies neither reads nor compiles its code.
const COMPILED_FILE = FILES.cedarCompiled;
await build({
  entryPoints: [join(root, 'lib', 'authorizer', 'cedar', 'policies.ts')],
  outfile: join(outdir, COMPILED_FILE),
  ...standalone,
});
// The DynamoDB store (used only when a table is configured) beside the handler too, with the SDK client beside it.
const STORE_FILE = 'dynamodb-store.js';
await build({
  entryPoints: [join(root, 'lib', 'authorizer', 'stores', 'dynamodb.ts')],
  outfile: join(outdir, STORE_FILE),
  ...standalone,
  plugins: [sdkBeside],
});
const cedarBeside = {
  name: 'cedar-wasm-beside',
  setup(b) {
    b.onResolve({ filter: /^\.\/cedar\/wasm$/ }, () => ({ path: `./${CEDAR_FILE}`, external: true }));
    b.onResolve({ filter: /^\.\/cedar\/policies$/ }, () => ({ path: `./${COMPILED_FILE}`, external: true }));
    b.onResolve({ filter: /^\.\/stores\/dynamodb$/ }, () => ({ path: `./${STORE_FILE}`, external: true }));
  },
};

const result = await build({
  entryPoints: [join(root, 'lib', 'authorizer', 'handler.ts')],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // The DynamoDB client, the Cedar adapter and the Cedar engine are loaded beside the bundle (the Cedar wasm next to it).
  plugins: [sdkBeside, cedarBeside],
  external: ['@cedar-policy/cedar-wasm', '@cedar-policy/cedar-wasm/*'],
  metafile: true,
  logLevel: 'warning',
});

// Ship the Cedar engine (its nodejs build: JS glue + wasm) as node_modules inside the asset.
const cedarPkg = join(dirname(require.resolve('@cedar-policy/cedar-wasm/nodejs')), '..');
const cedarOut = join(outdir, ...FILES.cedarEngine.split('/'));
mkdirSync(join(cedarOut, 'nodejs'), { recursive: true });
copyFileSync(join(cedarPkg, 'package.json'), join(cedarOut, 'package.json'));
for (const f of ['cedar_wasm.js', 'cedar_wasm_bg.wasm', 'package.json']) {
  try {
    copyFileSync(join(cedarPkg, 'nodejs', f), join(cedarOut, 'nodejs', f));
  } catch (e) {
    if (f !== 'package.json') throw e;
  }
}

const bytes = statSync(join(outdir, 'index.js')).size;
const inputs = Object.keys(result.metafile.inputs).length;
const sdkBytes = statSync(join(outdir, SDK_FILE)).size;
const cedarBytes = statSync(join(outdir, CEDAR_FILE)).size;
const compiledBytes = statSync(join(outdir, COMPILED_FILE)).size;
console.log(`authorizer bundle: ${outdir}/index.js ${(bytes / 1024).toFixed(1)} KB from ${inputs} inputs `
  + `(beside it: ${COMPILED_FILE} ${(compiledBytes / 1024).toFixed(0)} KB, ${SDK_FILE} ${(sdkBytes / 1024).toFixed(0)} KB, ${CEDAR_FILE} ${(cedarBytes / 1024).toFixed(0)} KB and the Cedar wasm)`);

// The user pool's pre-token-generation trigger: one self-contained file (its DynamoDB client included), into
// assets/pre-token-generation (or <outdir>/pre-token-generation with --outdir: everything the script writes is then
// inside the folder its caller owns and removes; beside it, each run left two folders behind in the temporary directory).
const triggerOut = outArg > 0 ? join(outdir, 'pre-token-generation') : join(root, 'assets', 'pre-token-generation');
mkdirSync(triggerOut, { recursive: true });
await build({
  entryPoints: [join(root, 'lib', 'triggers', 'pre-token-generation.ts')],
  outfile: join(triggerOut, 'index.js'),
  ...standalone,
});
console.log(`pre-token-generation trigger bundle: ${triggerOut}/index.js ${(statSync(join(triggerOut, 'index.js')).size / 1024).toFixed(1)} KB`);

// The origin-verify rotation function: one readable CommonJS file, the AWS SDK left to the runtime, into
// assets/origin-verify-rotation (or <outdir>/origin-verify-rotation with --outdir).
const rotationOut = outArg > 0 ? join(outdir, 'origin-verify-rotation') : join(root, 'assets', 'origin-verify-rotation');
mkdirSync(rotationOut, { recursive: true });
await build({
  entryPoints: [join(root, 'lib', 'rotation', 'origin-verify.ts')],
  outfile: join(rotationOut, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`origin-verify rotation bundle: ${rotationOut}/index.js ${(statSync(join(rotationOut, 'index.js')).size / 1024).toFixed(1)} KB`);
