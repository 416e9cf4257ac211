/** `report`: re-renders the compliance reports (Markdown, HTML, SARIF, JUnit) from a synthesized cloud assembly. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { CommandContext, Runner } from '../context';
import { conflict, notFound, oneLine, usage } from '../errors';

type Format = 'md' | 'html' | 'sarif' | 'junit';
const FORMATS: readonly Format[] = ['md', 'html', 'sarif', 'junit'];
type ReportPaths = import('../../compliance/report/render').ReportPaths;

function fileOf(paths: ReportPaths, format: Format): string {
  switch (format) {
    case 'md': return paths.markdown;
    case 'html': return paths.html;
    case 'sarif': return paths.sarif;
    case 'junit': return paths.junit;
  }
}

export function reportCommand(runner: Runner): Command {
  const cmd = new Command('report').description('render the compliance report from a cdk.out folder (written to <cdk.out>/compliance/)')
    .requiredOption('--cdk-out <dir>', 'the cloud assembly of a `cdk synth` with Compliance.enforce(...)')
    .option('--format <format>', 'md, html, sarif, junit or all', 'all')
    .option('--json', 'machine-readable output on stdout');
  cmd.action(runner(async (ctx: CommandContext) => {
    const o = cmd.opts<{ cdkOut: string; format: string; json?: boolean }>();
    if (o.format !== 'all' && !(FORMATS as readonly string[]).includes(o.format)) throw usage(`--format must be md, html, sarif, junit or all (received: ${JSON.stringify(o.format)})`);
    const dir = path.resolve(o.cdkOut);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the folder
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw notFound(`--cdk-out ${o.cdkOut} is not a folder: run \`cdk synth\` first or pass its output folder`);
    // Loaded on use: the compliance code is heavier than the rest of the CLI.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderReports } = require('../../compliance/report/render') as typeof import('../../compliance/report/render');
    let paths;
    try {
      paths = renderReports(dir);
    } catch (e) {
      const message = oneLine(e instanceof Error ? e.message : String(e), 300);
      if (/no evidence/.test(message)) throw notFound(`no compliance evidence in ${o.cdkOut}: synthesize an app that calls Compliance.enforce(...) first`);
      if (/not supported/.test(message)) throw conflict(`${message}`);
      throw e;
    }
    const chosen = o.format === 'all' ? FORMATS : [o.format as Format];
    const files = Object.fromEntries(chosen.map((f) => [f, fileOf(paths, f)]));
    ctx.result(chosen.map((f) => `${f}\t${fileOf(paths, f)}`), { files, evidence: paths.evidence });
  }));
  return cmd;
}
