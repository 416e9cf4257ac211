import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the bundled authorizer handler (`index.js` in `dir`) over `events` in a fresh process, from that folder with
 * no node_modules on the path and only `env` (plus PATH) in its environment. Outcomes: `Allow:<tenant>:<metering key>`,
 * `Deny` or `throw:<message>`; reasons: of the decision lines, in order.
 */
export async function runBundledHandler(
  dir: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<{ outcomes: string[]; reasons: string[] }> {
  const script = join(dir, 'run.js');
  writeFileSync(script, `
    const { handler } = require('./index.js');
    (async () => {
      const out = [];
      for (const e of JSON.parse(process.argv[2])) {
        try {
          const r = await handler(e);
          out.push(r.context ? ['Allow', r.context.tenantId, r.usageIdentifierKey].join(':') : r.policyDocument.Statement[0].Effect);
        } catch (err) { out.push('throw:' + err.message); }
      }
      process.stderr.write('RESULT' + JSON.stringify(out));
    })();
  `);
  const { stdout, stderr } = await run(process.execPath, [script, JSON.stringify(events)], { cwd: dir, env: { PATH: process.env.PATH, NODE_PATH: '', ...env } });
  const reasons = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Reason?: string }).filter((l) => l.Reason).map((l) => l.Reason!);
  return { outcomes: JSON.parse(stderr.slice(stderr.indexOf('RESULT') + 6)) as string[], reasons };
}
