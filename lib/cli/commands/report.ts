/**
 * `report`: re-renders the compliance reports (Markdown, HTML, SARIF, JUnit) from a synthesized cloud assembly and
 * gates CI on the result: one verdict line, exit 1 on unacknowledged findings at or above `--fail-on`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { addJsonOption, CommandContext, required, Runner } from '../context';
import { conflict, ExitCode, notFound, oneLine, usage } from '../errors';

type Format = 'md' | 'html' | 'sarif' | 'junit';
const FORMATS: readonly Format[] = ['md', 'html', 'sarif', 'junit'];
type ReportPaths = import('../../compliance/report/render').ReportPaths;
type FailOn = import('../../compliance/report/verdict').FailOn;
const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'note', 'never'];

function filesOf(paths: ReportPaths, format: Format): string[] {
  switch (format) {
    case 'md': return [paths.markdown];
    case 'html': return [paths.html];
    case 'sarif': return [paths.sarif, paths.sarifFull];
    case 'junit': return [paths.junit];
  }
}

export function reportCommand(runner: Runner): Command {
  const cmd = addJsonOption(new Command('report').description('render the compliance reports from a cdk.out folder (into <cdk.out>/compliance/) and print the verdict; exit 1 on unacknowledged findings')
    .addOption(required(new Option('--cdk-out <dir>', 'the cloud assembly of a `cdk synth` with Compliance.enforce(...)')))
    .option('--format <format>', 'md, html, sarif, junit or all', 'all')
    .option('--fail-on <level>', 'lowest level of an unacknowledged finding that fails (exit 1): error, warning, note (any finding) or never', 'note'));
  cmd.action(runner(async (ctx: CommandContext) => {
    const o = cmd.opts<{ cdkOut?: string; format: string; failOn: string; json?: boolean }>();
    ctx.check(() => {
      if (o.format !== 'all' && !(FORMATS as readonly string[]).includes(o.format)) throw usage(`--format must be md, html, sarif, junit or all (received: ${JSON.stringify(o.format)})`);
    });
    ctx.check(() => {
      if (!(FAIL_ON as readonly string[]).includes(o.failOn)) throw usage(`--fail-on must be error, warning, note or never (received: ${JSON.stringify(o.failOn)})`);
    });
    ctx.endChecks();
    const cdkOut = o.cdkOut!;
    const dir = path.resolve(cdkOut);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the folder
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw notFound(`--cdk-out ${cdkOut} is not a folder: run \`cdk synth\` first or pass its output folder`);
    // Loaded on use: the compliance code is heavier than the rest of the CLI.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { renderReports, REPORT_DIR, REPORT_FILES } = require('../../compliance/report/render') as typeof import('../../compliance/report/render');
    const { verdictOf } = require('../../compliance/report/verdict') as typeof import('../../compliance/report/verdict');
    /* eslint-enable @typescript-eslint/no-require-imports */
    let paths: ReportPaths;
    try {
      paths = renderReports(dir);
    } catch (e) {
      const message = oneLine(e instanceof Error ? e.message : String(e), 300);
      if (/no evidence/.test(message)) throw notFound(`no compliance evidence in ${cdkOut}: synthesize an app that calls Compliance.enforce(...) first`);
      if (/not supported/.test(message)) throw conflict(`${message}`);
      throw e;
    }
    const chosen = o.format === 'all' ? FORMATS : [o.format as Format];
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- written just now by renderReports under the named folder
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, REPORT_DIR, REPORT_FILES.evidence), 'utf8')) as import('../../compliance/evidence').EvidenceBundle;
    const shown = path.join(cdkOut, REPORT_DIR, REPORT_FILES[o.format === 'all' || o.format === 'html' ? 'html' : o.format === 'md' ? 'markdown' : o.format === 'sarif' ? 'sarif' : 'junit']);
    const verdict = verdictOf(bundle, { failOn: o.failOn as FailOn, report: shown });
    const files = Object.fromEntries(chosen.map((f) => [f, filesOf(paths, f)[0]]));
    if (chosen.includes('sarif')) files.sarifFull = paths.sarifFull;
    for (const [f, file] of Object.entries(files)) ctx.progress(`wrote ${f} ${file}`);
    ctx.result(
      verdict.line,
      { ...verdict, verdict: verdict.line, line: undefined, files, evidence: paths.evidence },
    );
    return verdict.ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
  }));
  return cmd;
}
