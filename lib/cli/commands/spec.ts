/**
 * `spec write`: writes the platform spec file (`platform.json`) the other commands read (`--spec`): the spec an app
 * defines in TypeScript or JavaScript, validated as `SecureApiPlatform` validates it, as JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { addJsonOption, CommandContext, Runner } from '../context';
import { notFound, usage } from '../errors';
import { DEFAULT_SPEC_FILE } from '../spec-source';

/** Loads a module: `.json` is read, `.js`/`.cjs` required, `.ts` required through tsx (a dev dependency of most CDK apps). */
function loadModule(file: string): Record<string, unknown> {
  const full = path.resolve(file);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file
  if (!fs.existsSync(full)) throw notFound(`${file}: no such file; name the module that exports the platform spec (e.g. lib/spec.ts)`);
  /* eslint-disable @typescript-eslint/no-require-imports, security/detect-non-literal-require -- the operator's own module */
  if (full.endsWith('.json')) return { spec: JSON.parse(fs.readFileSync(full, 'utf8')) as unknown };
  if (/\.[cm]?ts$/.test(full) && !require.extensions['.ts']) {
    try {
      // tsx is the app's (most CDK apps run with it), not this library's: resolved at run time.
      // eslint-disable-next-line import/no-extraneous-dependencies
      (require('tsx/cjs/api') as { register: () => unknown }).register();
    } catch {
      throw usage(`${file} is TypeScript and tsx is not installed: \`npm i -D tsx\`, or compile the spec module and pass the .js file`);
    }
  }
  return require(full) as Record<string, unknown>;
  /* eslint-enable @typescript-eslint/no-require-imports, security/detect-non-literal-require */
}

const looksLikeSpec = (v: unknown): boolean => typeof v === 'object' && v !== null && 'plans' in v && 'apis' in v;

/** The export that holds the spec: `--export`, else `spec`, `default`, or the only export that looks like a spec. */
function pickExport(mod: Record<string, unknown>, name: string | undefined, file: string): unknown {
  if (name !== undefined) {
    if (!(name in mod)) throw usage(`${file} has no export ${JSON.stringify(name)} (exports: ${Object.keys(mod).join(', ') || 'none'})`);
    return mod[name];
  }
  for (const n of ['spec', 'default']) if (looksLikeSpec(mod[n])) return mod[n];
  const candidates = Object.entries(mod).filter(([, v]) => looksLikeSpec(v) || typeof v === 'function');
  const specs = candidates.filter(([, v]) => looksLikeSpec(v));
  if (specs.length === 1) return specs[0][1];
  throw usage(`name the export that holds the spec with --export <name> (exports of ${file}: ${Object.keys(mod).join(', ') || 'none'})`);
}

export function specCommand(runner: Runner): Command {
  const cmd = new Command('spec').description('write the platform spec file (platform.json) the other commands read with --spec');
  const writeCmd = addJsonOption(cmd.command('write').description('validate the spec a module exports and write it as JSON')
    .argument('<module>', 'the module that exports the spec (.ts needs tsx; .js; .json)')
    .option('--export <name>', 'the export holding the spec, or a function returning it (default: `spec`, `default`, or the only spec-shaped export)')
    .option('--out <file>', 'where to write', DEFAULT_SPEC_FILE));
  writeCmd.action(runner(async (ctx: CommandContext, moduleArg) => {
    const o = writeCmd.opts<{ export?: string; out: string }>();
    const file = moduleArg;
    let value = pickExport(loadModule(file), o.export, file);
    if (typeof value === 'function') value = (value as () => unknown)();
    if (!looksLikeSpec(value)) throw usage(`the export of ${file} is not a platform spec (it has no \`plans\` and \`apis\`)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { resolveSpec } = require('../../spec/resolve') as typeof import('../../spec/resolve');
    let resolved;
    try {
      resolved = resolveSpec(value as import('../../spec/types').PlatformSpec);
    } catch (e) {
      throw usage(e instanceof Error ? e.message : String(e));
    }
    const out = path.resolve(o.out);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the output file
    fs.writeFileSync(out, `${JSON.stringify(value, undefined, 2)}\n`);
    const scopes = [...new Set(resolved.spec.apis.flatMap((a) => Object.keys(a.scopes ?? {})))].sort();
    const summary = {
      file: o.out,
      platform: resolved.spec.name,
      plans: Object.keys(resolved.spec.plans),
      apis: resolved.spec.apis.map((a) => `${a.name}:${a.version}`),
      scopes,
      regions: [resolved.spec.regions.primary, ...(resolved.spec.regions.secondaries ?? [])],
    };
    ctx.result(
      `wrote ${o.out}: platform ${summary.platform}, plans ${summary.plans.join(', ')}, APIs ${summary.apis.join(', ')}, scopes ${scopes.join(' ')}, regions ${summary.regions.join(', ')}`,
      summary,
    );
  }));
  return cmd;
}
