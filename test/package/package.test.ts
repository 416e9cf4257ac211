import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_CDK_LIB_CURRENT, ENTRY_POINTS, MIN_AWS_CDK_LIB } from '../../projenrc/layout';

// What a consumer's `npm install` sees: the package.json that ships (projen renders it from .projenrc.ts).
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, string | { types: string; default: string }>;
  bin?: Record<string, string>;
};

describe('dependencies: the app owns aws-cdk-lib and constructs; Azure is optional', () => {
  test('aws-cdk-lib and constructs are peer dependencies (never a nested copy), from the tested floor', () => {
    expect(pkg.dependencies).not.toHaveProperty('aws-cdk-lib');
    expect(pkg.dependencies).not.toHaveProperty('constructs');
    expect(pkg.peerDependencies).toMatchObject({ 'aws-cdk-lib': `^${MIN_AWS_CDK_LIB}`, 'constructs': expect.stringMatching(/^\^10\./) });
    expect(pkg.devDependencies?.['aws-cdk-lib']).toBe(`^${AWS_CDK_LIB_CURRENT}`);
  });

  test('cdktf and the azurerm provider are optional peers: an AWS-only install does not fetch them', () => {
    for (const name of ['cdktf', '@cdktf/provider-azurerm']) {
      expect(pkg.dependencies).not.toHaveProperty(name);
      expect(pkg.peerDependencies).toHaveProperty(name);
      expect(pkg.peerDependenciesMeta?.[name]).toEqual({ optional: true });
    }
  });

  test('no install-time lifecycle script ships (projen and the bundlers are dev dependencies)', () => {
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare', 'prepublish', 'prepack', 'postpack'];
    expect(Object.keys(pkg.scripts ?? {}).filter((s) => lifecycle.includes(s))).toEqual([]);
  });

  test('a scoped name the project can own; the CLI keeps its command name', () => {
    expect(pkg.name).toMatch(/^@[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(Object.keys(pkg.bin ?? {})).toEqual(['secure-api-platform']);
  });
});

describe('entry points: each audience loads only its own cloud library', () => {
  test('package.json exports exactly the entry points of projenrc/layout.ts', () => {
    const exported = Object.fromEntries(Object.entries(pkg.exports).filter(([k]) => k !== './package.json'));
    expect(exported).toEqual(Object.fromEntries(Object.entries(ENTRY_POINTS).map(([k, src]) => [k, { types: `./dist/${src}.d.ts`, default: `./dist/${src}.js` }])));
  });

  // Loads one entry point's source in a fresh Node process and lists the libraries that ended up in require.cache.
  function loaded(entry: string): string[] {
    const probe = `require(${JSON.stringify(join(root, ENTRY_POINTS[entry]))});`
      + 'const libs = new Set(Object.keys(require.cache).map((f) => (/node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f) || [])[1]).filter(Boolean).map((n) => n.replace(/\\\\/g, "/")));'
      + 'process.stdout.write(JSON.stringify([...libs]));';
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  }
  const AWS = ['aws-cdk-lib', 'cdk-nag'];
  const AZURE = ['cdktf', '@cdktf/provider-azurerm'];
  test.each([
    ['.', [], [...AWS, ...AZURE]],
    ['./spec', [], [...AWS, ...AZURE]],
    ['./authorizer', [], [...AWS, ...AZURE]],
    ['./compliance', AWS, AZURE],
    ['./aws', AWS, AZURE],
    ['./azure', ['cdktf'], AWS],
  ])('%s loads %j and never %j', (entry, loads, never) => {
    const libs = loaded(entry);
    expect(libs).toEqual(expect.arrayContaining(loads));
    expect(libs.filter((l) => never.includes(l))).toEqual([]);
  });
});
