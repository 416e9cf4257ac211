#!/usr/bin/env node
/**
 * `secure-api-platform`: the operators' command-line tool (tenants, API keys, token revocation, compliance report,
 * doctor). `run(argv, deps)` is the whole program: tests call it in-process with injected dependencies.
 *
 * Exit codes: 0 ok · 1 doctor found a failing check (or an internal error) · 2 usage · 3 not found ·
 * 4 conflict / invalid state · 5 AWS or network error.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { doctorCommand } from './commands/doctor';
import { keyCommand } from './commands/key';
import { reportCommand } from './commands/report';
import { specCommand } from './commands/spec';
import { tenantCommand } from './commands/tenant';
import { tokenCommand } from './commands/token';
import { CliDependencies, CommandContext, defaultDependencies, isRequired, missingRequired, PLATFORM_ENV, Runner } from './context';
import { ExitCode, oneLine, toCliError } from './errors';

export { ExitCode, CliError } from './errors';
export type { CliDependencies, AwsTarget, Output } from './context';
export type { AuditEvent, AuditSink, CallerIdentity } from './audit';
export { CloudWatchLogsAuditSink, MemoryAuditSink, StsCallerIdentity } from './audit';
export type { MeteringKeys } from './metering';
export { ApiGatewayMeteringKeys, meteringKeyName } from './metering';
export { ApiNames, operationsAuditLogGroup, TableNames } from '../spec/contracts/names';
export type { HttpGet, HttpResponse } from './http';

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  doctor: a check failed; report: an unacknowledged finding at or above --fail-on (or an internal error: please report it)
  2  usage: unknown command/option, missing or malformed value
  3  not found: tenant, key, usage plan, table, cdk.out, evidence
  4  conflict or invalid state: exists already, already disabled/revoked/rotated, expired
  5  AWS or network error: credentials, permissions, throttling, unreachable, audit log unavailable

Environment:
  ${PLATFORM_ENV}  default of --platform
  AWS_REGION, AWS_PROFILE   defaults of --region and --profile (the AWS SDK's standard chain)
  SECURE_API_PLATFORM_SPEC  default of --spec (else ./platform.json, written by \`spec write\`)`;

/** The library's version (package.json), for `--version`. */
function cliVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { packageVersion } = require('../compliance/report/sources') as typeof import('../compliance/report/sources');
  return packageVersion() ?? 'unknown';
}

/** Help that marks required options, as gh and kubectl do. */
function helpConfiguration(): Partial<Help> {
  return {
    optionDescription: (option: Option): string => {
      const base = new Help().optionDescription(option);
      return isRequired(option) ? `${base} (required)` : base;
    },
  };
}

/** Builds the command tree; `setExitCode` receives what an action returns (doctor's verdict). */
function program(deps: CliDependencies, setExitCode: (code: number) => void): Command {
  const root = new Command('secure-api-platform')
    .description('Operate a Secure API Platform: tenants, API keys, token revocation, compliance reports, doctor')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
      outputError: (s, write) => write(`${oneLine(s)}\n`),
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command (e.g. `help key issue`)')
    .configureHelp(helpConfiguration())
    .showSuggestionAfterError(true);

  const runner: Runner = (action) => async (...args: unknown[]) => {
    // Commander passes the declared arguments, then the options object, then the command.
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).map((a) => (typeof a === 'string' ? a : undefined)) as string[];
    const ctx = new CommandContext(deps, command.opts());
    // Missing required options are problems like any other: the action reports them all at once (endChecks).
    for (const missing of missingRequired(command)) ctx.problem(`required option '${missing}' not specified`);
    const code = await action(ctx, ...positional);
    if (typeof code === 'number') setExitCode(code);
  };

  root.addCommand(tenantCommand(deps, runner));
  root.addCommand(keyCommand(runner));
  root.addCommand(tokenCommand(runner));
  root.addCommand(reportCommand(runner));
  root.addCommand(doctorCommand(runner));
  root.addCommand(specCommand(runner));
  return root;
}

/** Applies exitOverride/output to every command (commander copies settings only to commands made with `.command()`). */
function configureTree(cmd: Command, root: Command): void {
  for (const sub of cmd.commands) {
    sub.copyInheritedSettings(root);
    sub.configureHelp(helpConfiguration());
    configureTree(sub, root);
  }
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves with the exit code. Never throws and
 * never prints a stack trace: every failure is one `error: ...` line on stderr (and `{"error": ...}` on stdout with `--json`).
 */
export async function run(argv: readonly string[], deps: Partial<CliDependencies> = {}): Promise<number> {
  const full: CliDependencies = { ...defaultDependencies(), ...deps };
  let exitCode: number = ExitCode.OK;
  const root = program(full, (code) => {
    exitCode = code;
  });
  configureTree(root, root);
  // `help key issue` as gh reads it: commander's help command takes one level only.
  const args = argv[0] === 'help' && argv.length > 2 ? [...argv.slice(1), '--help'] : [...argv];
  try {
    await root.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, --version and `help <command>` succeed; help shown because a subcommand is missing does not.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return ExitCode.OK;
      return ExitCode.USAGE;
    }
    const error = toCliError(e);
    full.stderr.write(`error: ${oneLine(error.message, 600)}\n`);
    if (argv.includes('--json')) full.stdout.write(`${JSON.stringify({ error: { exitCode: error.exitCode, message: error.message } })}\n`);
    return error.exitCode;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = ExitCode.CHECK_FAILED;
    },
  );
}
