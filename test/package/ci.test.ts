import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { TYPECHECK_PROJECTS } from '../../projenrc/layout';

// CI type-checks and lints: jest (isolatedModules), tsx and esbuild strip types, so only tsc catches a type error.
const root = join(__dirname, '..', '..');
interface Step { exec?: string; spawn?: string; execArgs?: string[] }
const tasks = (JSON.parse(readFileSync(join(root, '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, { steps?: Step[] }> }).tasks;
const steps = (task: string): Step[] => tasks[task]?.steps ?? [];

test('npm test runs the typecheck and eslint tasks', () => {
  const spawned = steps('test').map((s) => s.spawn).filter(Boolean);
  expect(spawned).toEqual(expect.arrayContaining(['typecheck', 'eslint']));
});

test('the typecheck task runs tsc --noEmit over every tsconfig of TYPECHECK_PROJECTS', () => {
  expect(steps('typecheck').map((s) => s.exec)).toEqual(TYPECHECK_PROJECTS.map((p) => `tsc --noEmit -p ${p}`));
});

test('together those tsconfigs cover every TypeScript file in the repository', () => {
  const covered = new Set<string>();
  for (const project of TYPECHECK_PROJECTS) {
    const file = join(root, project);
    const config = ts.readConfigFile(file, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(file));
    for (const f of parsed.fileNames) covered.add(f);
  }
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '.projenrc.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(root, f));
  expect(tracked.length).toBeGreaterThan(100);
  expect(tracked.filter((f) => !covered.has(f))).toEqual([]);
});

test('CI lint reports instead of rewriting: eslint has no --fix; eslint:fix is the developers\' task', () => {
  const args = (task: string) => steps(task).flatMap((s) => [...(s.execArgs ?? []), ...(s.exec?.split(' ') ?? [])]);
  expect(args('eslint')).not.toContain('--fix');
  expect(args('eslint:fix')).toContain('--fix');
});

test('npm run bench builds the authorizer and backend bundles its synth fixtures deploy before it runs, as a fresh clone has none', () => {
  const benchSteps = steps('bench');
  const run = benchSteps.findIndex((s) => s.exec === 'tsx bench/run.ts');
  expect(run).toBeGreaterThan(-1);
  const before = benchSteps.slice(0, run).map((s) => s.spawn);
  expect(before).toEqual(expect.arrayContaining(['bundle:authorizer', 'bundle:backend']));
  // The bundles are build output, not in the repository.
  expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('/assets/');
});
