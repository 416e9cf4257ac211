import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * lib/compliance is three layers: the cloud-neutral core (its top-level modules and report/), aws/ (cdk-nag, CDK) and
 * terraform/ (the rule engine over Terraform JSON). The core and the Terraform engine must load no cloud library: the
 * Azure entry point and the CLI's `report` use them without aws-cdk-lib or cdk-nag.
 */
const root = join(__dirname, '..', '..');
const dir = join(root, 'lib', 'compliance');
const modules = (sub: string): string[] => readdirSync(join(dir, sub), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(dir, sub, f));

/** The third-party packages in require.cache after loading `files` in a fresh Node process. */
function packagesLoadedBy(files: readonly string[]): string[] {
  const probe = `for (const f of ${JSON.stringify(files)}) require(f);`
    + 'const libs = new Set(Object.keys(require.cache).map((f) => (/node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f) || [])[1]).filter(Boolean).map((n) => n.replace(/\\\\/g, "/")));'
    + 'process.stdout.write(JSON.stringify([...libs]));';
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`loading failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const CLOUD_LIBRARIES = ['aws-cdk-lib', 'cdk-nag', 'constructs', 'cdktf', '@cdktf/provider-azurerm'];

test('the core (lib/compliance/*.ts but the entry point, and report/) and terraform/ load no cloud library', () => {
  const core = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => join(dir, f));
  const files = [...core, ...modules('report'), ...modules('terraform')];
  expect(files.length).toBeGreaterThan(20);
  expect(packagesLoadedBy(files).filter((l) => CLOUD_LIBRARIES.includes(l))).toEqual([]);
});

test('the aws layer is where aws-cdk-lib and cdk-nag come in (the probe sees them)', () => {
  expect(packagesLoadedBy([join(dir, 'aws', 'index.ts')])).toEqual(expect.arrayContaining(['aws-cdk-lib', 'cdk-nag']));
});
