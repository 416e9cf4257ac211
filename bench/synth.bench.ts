/**
 * Synth time of the whole example platform (every region, the global and edge stacks, every pack) against one
 * representative single-region stack, and of the API portfolio (examples/portfolio) at 10, 100 and 1,000 routes in 1,
 * 2, 3 and 5 regions against its 10 routes in 1 region. Each synth runs in its own process (CDK sets its template
 * validator up once per process), all cases alternated round by round so they see the same machine load. Prints
 * medians and ratios; it is not a timed test. After each portfolio synth the resources of every template of its cloud
 * assembly (nested stacks included) are counted: the largest stack is printed against CloudFormation's 500.
 *
 * BENCH_SYNTH_ROUNDS (default 3) rounds for every case; the portfolio cells of 1,000 routes in 3 or 5 regions (minutes
 * each) run in the first BENCH_SYNTH_BIG_ROUNDS (default 1) of them, so their figure is that many synths, not a
 * median of BENCH_SYNTH_ROUNDS: the output says how many synths each figure is. BENCH_SYNTH_ONLY=portfolio runs the
 * groups whose baseline's name contains it. Each synth's CPU time (its process's own, from fixtures/cpu.ts) is printed
 * beside its wall time: on a machine shared with other jobs the wall time also counts their use of the cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPLOY_LIMITS } from '../lib/spec';

const ROUNDS = Number(process.env.BENCH_SYNTH_ROUNDS ?? 3);
const BIG_ROUNDS = Math.min(ROUNDS, Number(process.env.BENCH_SYNTH_BIG_ROUNDS ?? 1));
const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

/** The most resources in one template of a cloud assembly (nested stack templates included), and which. */
interface Largest { readonly template: string; readonly resources: number; readonly templates: number }

/* eslint-disable security/detect-non-literal-fs-filename -- the bench's own temporary cloud assembly */
function largestStack(outdir: string): Largest {
  let largest: Largest = { template: '', resources: 0, templates: 0 };
  const files = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  for (const f of files) {
    const resources = Object.keys((JSON.parse(readFileSync(join(outdir, f), 'utf8')) as { Resources?: object }).Resources ?? {}).length;
    if (resources > largest.resources) largest = { template: f, resources, templates: files.length };
  }
  return { ...largest, templates: files.length };
}
/* eslint-enable security/detect-non-literal-fs-filename */

/** Wall time and CPU time (the fixture's own, printed at exit by fixtures/cpu.ts) of one synth. */
interface Synth { readonly ms: number; readonly cpuMs: number; readonly largest?: Largest }

function timeSynth(fixture: string, env: Record<string, string> = {}, count = false): Synth {
  const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const started = performance.now();
    const r = spawnSync(tsx, [join(__dirname, 'fixtures', fixture), out], { encoding: 'utf8', env: { ...process.env, ...env } });
    const ms = performance.now() - started;
    if (r.status !== 0) throw new Error(`${fixture} ${JSON.stringify(env)} failed (${r.status}): ${r.stderr.slice(-2000)}`);
    const cpu = /^bench-cpu-ms (\d+)$/m.exec(r.stdout);
    if (!cpu) throw new Error(`${fixture} printed no CPU time`);
    return { ms, cpuMs: Number(cpu[1]), largest: count ? largestStack(out) : undefined };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Case { readonly run: () => Synth; readonly rounds: number }

const portfolioName = (routes: number, regions: number): string =>
  `portfolio: ${routes.toLocaleString('en-US')} routes${routes === 1000 ? ' (4 APIs x 250)' : ''}, ${regions} region${regions > 1 ? 's' : ''}`;
const portfolio = (routes: number, regions: number): Case => ({
  run: () => timeSynth('portfolio.ts', { ROUTES: String(routes), REGIONS: String(regions) }, true),
  rounds: routes === 1000 && regions >= 3 ? BIG_ROUNDS : ROUNDS,
});
const PORTFOLIO_ROUTES = [10, 100, 1000];
const PORTFOLIO_REGIONS = [1, 2, 3, 5];
const PORTFOLIO_10 = portfolioName(10, 2);
const PORTFOLIO_1000 = portfolioName(1000, 2);

interface Group {
  readonly cases: Record<string, Case>;
  readonly baseline: string;
  readonly targets: (m: (name: string) => number, cpu: (name: string) => number, largest: Map<string, Largest>) => string[];
}

export async function run(): Promise<void> {
  const every = (synth: () => Synth): Case => ({ run: synth, rounds: ROUNDS });
  const portfolioCases: Record<string, Case> = {};
  for (const routes of PORTFOLIO_ROUTES) {
    for (const regions of PORTFOLIO_REGIONS) portfolioCases[portfolioName(routes, regions)] = portfolio(routes, regions);
  }
  const groups: Group[] = [
    {
      baseline: 'baseline: one regional stack, every pack, CDK template validation on',
      cases: {
        'baseline: one regional stack, every pack, CDK template validation on': every(() => timeSynth('single-region.ts')),
        'platform as `npx cdk synth` runs it (7 stacks, every pack)': every(() => timeSynth('platform.ts')),
        'platform with CDK template validation on (CDK_VALIDATION=true)': every(() => timeSynth('platform.ts', { CDK_VALIDATION: 'true' })),
      },
      targets: () => ['target: the platform under 1.5x the baseline'],
    },
    {
      baseline: portfolioName(10, 1),
      cases: portfolioCases,
      targets: (m, cpu, largest) => {
        const [name, worst] = [...largest].sort((a, b) => b[1].resources - a[1].resources)[0] ?? ['none', { template: '', resources: 0, templates: 0 }];
        const ratio = m(PORTFOLIO_1000) / m(PORTFOLIO_10);
        const verdict = ratio <= 2 ? '(met)' : ratio <= 3 ? '(within the worst case, over 2x)' : '(NOT met)';
        return [
          `target: 1,000 routes / 10 routes in 2 regions <= 2x (at worst 3x): measured ${ratio.toFixed(2)}x wall time ${verdict}, `
          + `${(cpu(PORTFOLIO_1000) / cpu(PORTFOLIO_10)).toFixed(2)}x CPU time`,
          `target: every stack < ${DEPLOY_LIMITS.resourcesPerStack} resources, nested stacks included: the largest of every portfolio synth has ${worst.resources} `
          + `(${worst.template}, ${name}) ${worst.resources < DEPLOY_LIMITS.resourcesPerStack ? '(met)' : '(NOT met)'}`,
        ];
      },
    },
  ];
  const only = process.env.BENCH_SYNTH_ONLY;
  const chosen = groups.filter((g) => only === undefined || g.baseline.includes(only));
  const all = Object.assign({}, ...chosen.map((g) => g.cases)) as Record<string, Case>;
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
  const cpuTimes: Record<string, number[]> = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
  const largest = new Map<string, Largest>();
  const loads: number[] = [];
  console.log(`  ${ROUNDS} round(s); 1,000 routes in 3 and 5 regions in the first ${BIG_ROUNDS}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, c] of Object.entries(all)) {
      if (i >= c.rounds) continue;
      const r = c.run();
      times[name].push(r.ms);
      cpuTimes[name].push(r.cpuMs);
      if (r.largest && r.largest.resources > (largest.get(name)?.resources ?? -1)) largest.set(name, r.largest);
      loads.push(loadavg()[0]);
      const count = r.largest ? `; ${r.largest.templates} templates, largest ${r.largest.resources} resources` : '';
      console.log(`  round ${i + 1}/${c.rounds} ${name}: ${s(r.ms)} (CPU ${s(r.cpuMs)})${count}`);
    }
  }
  console.log(`  1-minute load average during the run: median ${median(loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}`);
  const m = (name: string): number => median(times[name]);
  const cpu = (name: string): number => median(cpuTimes[name]);
  for (const g of chosen) {
    console.log(`\n${'case'.padEnd(72)} wall: median (each synth), ratio | CPU: median, ratio | largest stack`);
    for (const name of Object.keys(g.cases)) {
      const n = times[name].length;
      const size = largest.get(name);
      console.log(`${name.padEnd(72)} ${n > 1 ? `median of ${n}` : 'one synth'} ${s(m(name))} (${times[name].map(s).join(', ')}), ${(m(name) / m(g.baseline)).toFixed(2)}x`
        + ` | CPU ${s(cpu(name))}, ${(cpu(name) / cpu(g.baseline)).toFixed(2)}x` + (size ? ` | ${size.resources} resources` : ''));
    }
    for (const line of g.targets(m, cpu, largest)) console.log(line);
  }
}
