/**
 * Synth time of the whole example platform (every region, the global and edge stacks, every pack) against one
 * representative single-region stack, and of the API portfolio (examples/portfolio) at 10, 100 and 1,000 routes in 1,
 * 2, 3 and 5 regions against its 10 routes in 1 region. Each synth runs in its own process (CDK sets its template
 * validator up once per process), all cases alternated round by round so they see the same machine load. Prints
 * medians and ratios; it is not a timed test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = Number(process.env.BENCH_SYNTH_ROUNDS ?? 3);
const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function timeSynth(fixture: string, env: Record<string, string> = {}): number {
  const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const started = performance.now();
  const r = spawnSync(tsx, [join(__dirname, 'fixtures', fixture), out], { encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${fixture} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const portfolio = (routes: number, regions: number) => () => timeSynth('portfolio.ts', { ROUTES: String(routes), REGIONS: String(regions) });
const PORTFOLIO_BASE = 'portfolio baseline: 10 routes, 1 region, every pack';
const PORTFOLIO_10 = 'portfolio: 10 routes, 2 regions';
const PORTFOLIO_1000 = 'portfolio: 1,000 routes (4 APIs x 250), 2 regions';

export async function run(): Promise<void> {
  const groups: Array<{ cases: Record<string, () => number>; target: (m: (name: string) => number) => string }> = [
    {
      cases: {
        'baseline: one regional stack, every pack, CDK template validation on': () => timeSynth('single-region.ts'),
        'platform as `npx cdk synth` runs it (7 stacks, every pack)': () => timeSynth('platform.ts'),
        'platform with CDK template validation on (CDK_VALIDATION=true)': () => timeSynth('platform.ts', { CDK_VALIDATION: 'true' }),
      },
      target: () => 'target: the platform under 1.5x the baseline',
    },
    {
      cases: {
        [PORTFOLIO_BASE]: portfolio(10, 1),
        [PORTFOLIO_10]: portfolio(10, 2),
        'portfolio: 10 routes, 3 regions': portfolio(10, 3),
        'portfolio: 10 routes, 5 regions': portfolio(10, 5),
        'portfolio: 100 routes, 2 regions': portfolio(100, 2),
        [PORTFOLIO_1000]: portfolio(1000, 2),
        'portfolio: 1,000 routes, 1 region': portfolio(1000, 1),
        'portfolio: 1,000 routes, 3 regions': portfolio(1000, 3),
        'portfolio: 1,000 routes, 5 regions': portfolio(1000, 5),
      },
      target: (m) => `target: 1,000 routes / 10 routes in 2 regions <= 2x (at worst 3x): measured ${(m(PORTFOLIO_1000) / m(PORTFOLIO_10)).toFixed(2)}x`,
    },
  ];
  const all = Object.assign({}, ...groups.map((g) => g.cases)) as Record<string, () => number>;
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, f] of Object.entries(all)) times[name].push(f());
  }
  const m = (name: string): number => median(times[name]);
  for (const g of groups) {
    const names = Object.keys(g.cases);
    const base = m(names[0]);
    for (const name of names) {
      console.log(`${name.padEnd(72)} median ${s(m(name))} (${times[name].map(s).join(', ')})  ratio ${(m(name) / base).toFixed(2)}x`);
    }
    console.log(g.target(m));
  }
}
