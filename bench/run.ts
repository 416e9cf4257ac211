/**
 * Runs every `bench/*.bench.ts` (each exports `run(): Promise<void>`), in name order, in this process.
 * `npm run bench -- authorizer` runs only the files whose name contains one of the arguments.
 * Benchmarks print figures as ratios to a baseline measured in the same run; they are not timed tests.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no bench/*.bench.ts matches ${filters.join(', ') || '(all)'}`);
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error(`${file} must export run(): Promise<void>`);
    console.log(`\n=== ${file} (node ${process.version}, ${process.platform}/${process.arch})`);
    const started = performance.now();
    await mod.run();
    console.log(`=== ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
