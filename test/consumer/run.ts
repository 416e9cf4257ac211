/**
 * The consumer test (`npm run test:consumer`; .ci/run runs it as a task of its own, never inside `npm test`).
 * It does what an organization's IaC repository does: packs the library, installs the tarball into a fresh app in a
 * temporary folder (`--prefer-offline`, no cdk.json, no context), type-checks and synthesizes the README's own snippets:
 *   1. the AWS snippet with the oldest supported aws-cdk-lib, then with the current one: one aws-cdk-lib in the tree
 *      (`npm ls`), templates whose security-relevant properties equal the example's;
 *   2. the Azure snippet, without loading aws-cdk-lib or cdk-nag;
 *   3. an aws-cdk-lib below the floor: npm's peer-dependency error, before any code runs.
 * Time budget: 20 minutes in all, 8 per install (it fails when over). Prints the AWS-only install size.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileDifferences, securityProfile } from './profile';
import { AWS_CDK_LIB_CURRENT, MIN_AWS_CDK_LIB } from '../../projenrc/layout';

const root = join(__dirname, '..', '..');
const BUDGET_MS = 20 * 60_000;
const INSTALL_MS = 8 * 60_000;
/** The release before the floor: npm must refuse it. */
const BELOW_FLOOR = '2.240.0';
const started = Date.now();
const failures: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'consumer-'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; peerDependencies: Record<string, string>; devDependencies: Record<string, string> };
const devDeps = pkg.devDependencies;

function run(cmd: string, args: string[], cwd: string, timeout = INSTALL_MS, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const left = BUDGET_MS - (Date.now() - started);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: Math.max(1000, Math.min(timeout, left)), env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') failures.push(`${cmd} ${args.join(' ')}: over the time budget`);
  return r;
}
function check(what: string, ok: boolean, detail = ''): void {
  // The tail of the output: the error, not a minified line of the loader that printed it.
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `\n${detail.split('\n').filter((l) => l.length < 400).slice(-40).join('\n')}`}`);
  if (!ok) failures.push(what);
}

/** The first ```ts block below a README heading. */
function readmeSnippet(heading: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`README has no ts snippet below "${heading}"`);
  return m[1];
}

function newApp(name: string, deps: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  // A CDK app's usual dev dependency: Node's types.
  const devDependencies = { '@types/node': devDeps['@types/node'] };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true, dependencies: deps, devDependencies }, null, 2));
  return dir;
}
function install(dir: string): SpawnSyncReturns<string> {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}
function duKb(dir: string): number {
  return Number(run('du', ['-sk', join(dir, 'node_modules')], dir).stdout.split('\t')[0]);
}
const TSCONFIG = { compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, types: ['node'] }, include: ['*.ts'] };
function typecheck(dir: string, what: string): void {
  // A classic CDK app's tsconfig (CommonJS, node10 resolution: subpaths through typesVersions) and a NodeNext one (exports).
  for (const [name, extra] of [['commonjs', {}], ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }]] as const) {
    writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, ...extra } }));
    const r = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${name}.json`], dir);
    check(`${what} type-checks (${name})`, r.status === 0, r.stdout + r.stderr);
  }
}

// ---- pack
const packed = run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], root);
if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
check('the tarball has the build, the bundled authorizer and no sources or tests', files.includes('dist/lib/index.js') && files.includes('dist/constructs/aws/index.d.ts')
  && files.some((f) => f.startsWith('assets/authorizer/')) && !files.some((f) => /^(test|lib|constructs)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts')), files.join('\n'));

// ---- the example's templates (the repository's own synth, no context but allowPlaceholders)
const exampleOut = join(work, 'example.out');
const example = run(process.execPath, ['--require', 'tsx/cjs', '-e', `const { App } = require('aws-cdk-lib'); const { buildExampleApp } = require('./examples/aws/app');
  const app = new App({ outdir: ${JSON.stringify(exampleOut)}, context: { allowPlaceholders: 'true' } }); buildExampleApp(app); app.synth();`], root);
check('the example synthesizes', example.status === 0, example.stderr);
const exampleProfile = securityProfile(exampleOut);

// ---- AWS: the README snippet, oldest and current aws-cdk-lib
const awsSnippet = readmeSnippet('## Use it from your own repository');
for (const version of [MIN_AWS_CDK_LIB, AWS_CDK_LIB_CURRENT]) {
  const dir = newApp(`aws-${version}`, { [pkg.name]: `file:${tarball}`, 'aws-cdk-lib': version, 'constructs': pkg.peerDependencies.constructs });
  const inst = install(dir);
  check(`aws-cdk-lib ${version}: npm install of the tarball`, inst.status === 0, inst.stderr);
  if (inst.status !== 0) continue;
  const ls = run('npm', ['ls', 'aws-cdk-lib', '--all', '--parseable'], dir);
  const copies = ls.stdout.split('\n').filter((l) => l.endsWith('aws-cdk-lib'));
  check(`aws-cdk-lib ${version}: one aws-cdk-lib in the tree (npm ls)`, copies.length === 1, ls.stdout);
  check(`aws-cdk-lib ${version}: no cdktf installed`, !existsSync(join(dir, 'node_modules', 'cdktf')) && !existsSync(join(dir, 'node_modules', '@cdktf')));
  if (version === AWS_CDK_LIB_CURRENT) console.log(`AWS-only consumer install: ${Math.round(duKb(dir) / 1024)} MB in node_modules`);
  writeFileSync(join(dir, 'main.ts'), awsSnippet);
  // The snippet's pre-built backend asset folder.
  mkdirSync(join(dir, 'dist', 'orders-backend'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'orders-backend', 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "{}" });\n');
  typecheck(dir, `aws-cdk-lib ${version}: the README snippet`);
  const out = join(dir, 'cdk.out');
  const synth = run(process.execPath, ['--require', join(root, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs'), 'main.ts'], dir, INSTALL_MS, { CDK_OUTDIR: out });
  check(`aws-cdk-lib ${version}: the README snippet synthesizes with no cdk.json`, synth.status === 0, synth.stdout + synth.stderr);
  if (synth.status !== 0) continue;
  const profile = securityProfile(out);
  const diff = profileDifferences(profile, exampleProfile);
  check(`aws-cdk-lib ${version}: security-relevant properties equal the example's`, Object.keys(diff).length === 0, JSON.stringify(diff, null, 2));
  const expected = ['AWS::ApiGateway::Stage', 'AWS::ApiGateway::DomainName', 'AWS::ApiGateway::Account', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::CloudFront::Distribution'];
  check(`aws-cdk-lib ${version}: the snippet renders the controls compared`, expected.every((t) => t in profile), Object.keys(profile).join(', '));
}

// ---- Azure: the README snippet loads neither aws-cdk-lib nor cdk-nag
{
  const dir = newApp('azure', { [pkg.name]: `file:${tarball}`, 'cdktf': pkg.peerDependencies.cdktf, '@cdktf/provider-azurerm': pkg.peerDependencies['@cdktf/provider-azurerm'], 'constructs': pkg.peerDependencies.constructs });
  const inst = install(dir);
  check('Azure: npm install of the tarball', inst.status === 0, inst.stderr);
  if (inst.status === 0) {
    writeFileSync(join(dir, 'main.ts'), `${readmeSnippet('## Azure (CDKTF)')}
const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](aws-cdk-lib|cdk-nag)[\\\\/]/.test(f));
if (loaded.length > 0) throw new Error('the Azure app loaded ' + loaded[0]);
`);
    typecheck(dir, 'Azure: the README snippet');
    const synth = run(process.execPath, ['--require', join(root, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs'), 'main.ts'], dir);
    check('Azure: the README snippet synthesizes without loading aws-cdk-lib or cdk-nag', synth.status === 0 && existsSync(join(dir, 'cdktf.out')), synth.stdout + synth.stderr);
  }
}

// ---- below the floor: npm refuses it, naming the peer range
{
  const dir = newApp('too-old', { [pkg.name]: `file:${tarball}`, 'aws-cdk-lib': BELOW_FLOOR, 'constructs': pkg.peerDependencies.constructs });
  const inst = install(dir);
  const said = inst.stdout + inst.stderr;
  check(`aws-cdk-lib ${BELOW_FLOOR}: npm's peer-dependency error naming the supported range`, inst.status !== 0 && /ERESOLVE/.test(said) && said.includes(`aws-cdk-lib@"^${MIN_AWS_CDK_LIB}"`), said);
}

const seconds = Math.round((Date.now() - started) / 1000);
console.log(`consumer test: ${failures.length === 0 ? 'passed' : `${failures.length} failed`} in ${seconds} s (budget ${BUDGET_MS / 1000} s)`);
if (failures.length === 0) rmSync(work, { recursive: true, force: true });
else console.log(`kept for inspection: ${work}`);
process.exit(failures.length === 0 ? 0 : 1);
