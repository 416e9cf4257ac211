/**
 * Synth time of the whole example platform (every region, the global and edge stacks, every pack) against one
 * representative single-region stack, each synth in its own process (CDK sets its template validator up once per
 * process), alternated so both see the same machine load. Prints medians and the ratio; it is not a timed test.
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

export async function run(): Promise<void> {
  const cases = {
    'baseline: one regional stack, every pack, CDK template validation on': () => timeSynth('single-region.ts'),
    'platform as `npx cdk synth` runs it (7 stacks, every pack)': () => timeSynth('platform.ts'),
    'platform with CDK template validation on (CDK_VALIDATION=true)': () => timeSynth('platform.ts', { CDK_VALIDATION: 'true' }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, f] of Object.entries(cases)) times[name].push(f());
  }
  const names = Object.keys(cases);
  const base = median(times[names[0]]);
  for (const name of names) {
    const m = median(times[name]);
    console.log(`${name.padEnd(72)} median ${s(m)} (${times[name].map(s).join(', ')})  ratio ${(m / base).toFixed(2)}x`);
  }
  console.log('target: the platform under 1.5x the baseline');
}
