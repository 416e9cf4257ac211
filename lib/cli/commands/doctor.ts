/**
 * `doctor`: checks a deployed or synthesized platform for what goes wrong in practice: issuer metadata that does not
 * match the configuration, a JWKS that is unreachable, not https or empty, a missing table, clock skew, and (when the
 * spec says it is managed elsewhere) a missing or untrusting API Gateway CloudWatch Logs role.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { authorizerConfigs, deployTimeParts, isDeployTime } from '../cdk-out';
import { addCommonOptions, CommandContext, Runner } from '../context';
import { ExitCode, notFound, toCliError, usage, withCause } from '../errors';
import { checkLogsRole } from '../logs-role';
import { readSpecFile, specFileOf } from '../spec-source';
import { PlatformStore } from '../store';
import { parseDuration } from '../validate';

export type CheckStatus = 'ok' | 'fail' | 'skip';
export interface Check {
  readonly check: string;
  readonly target: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

interface DoctorOptions {
  readonly cdkOut?: string;
  readonly issuer?: string[];
  readonly jwksUri?: string;
  readonly allowInsecureLoopback?: boolean;
  readonly maxSkew?: string;
  readonly timeout: string;
  readonly spec?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https only; http on a loopback host only with --allow-insecure-loopback (tests, local issuers). */
function urlProblem(value: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) {
    return allowLoopback ? undefined : 'uses http: only https is accepted (http on 127.0.0.1/localhost needs --allow-insecure-loopback, for tests)';
  }
  return 'must use https';
}

interface IssuerTarget {
  readonly issuer: string;
  readonly jwksUri?: string;
  readonly clockSkewSeconds?: number;
  readonly source: string;
}

interface IssuerCheckOptions {
  readonly allowLoopback: boolean;
  readonly timeoutMs: number;
  readonly maxSkewSeconds?: number;
}

async function checkIssuer(ctx: CommandContext, t: IssuerTarget, o: IssuerCheckOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (check: string, status: CheckStatus, detail: string, target = t.issuer): void => {
    checks.push({ check, target, status, detail });
  };
  if (isDeployTime(t.issuer)) {
    add('issuer-metadata', 'skip', `resolved at deploy (${deployTimeParts(t.issuer).join(', ')}); run doctor with --issuer <url> against the deployed platform`);
    return checks;
  }
  const issuerProblem = urlProblem(t.issuer, o.allowLoopback);
  if (issuerProblem) {
    add('issuer-https', 'fail', `issuer ${issuerProblem}`);
    return checks;
  }
  const discoveryUrl = `${t.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  ctx.progress(`fetching ${discoveryUrl}`);
  let discoveredJwks: string | undefined;
  try {
    const started = ctx.nowMs();
    const res = await ctx.deps.httpGet(discoveryUrl, { timeoutMs: o.timeoutMs });
    const finished = ctx.nowMs();
    if (res.status !== 200) {
      add('issuer-metadata', 'fail', `GET ${discoveryUrl} answered ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`);
    } else {
      const meta = JSON.parse(res.body) as { issuer?: unknown; jwks_uri?: unknown };
      if (meta.issuer !== t.issuer) add('issuer-metadata', 'fail', `metadata names issuer ${JSON.stringify(meta.issuer)}, the configuration ${JSON.stringify(t.issuer)}: tokens would be refused (iss mismatch); fix the configured issuer`);
      else add('issuer-metadata', 'ok', 'metadata issuer matches the configuration');
      discoveredJwks = typeof meta.jwks_uri === 'string' ? meta.jwks_uri : undefined;
    }
    const date = res.headers.date !== undefined ? Date.parse(res.headers.date) : Number.NaN;
    if (Number.isNaN(date)) {
      add('clock-skew', 'skip', 'the issuer sent no Date header');
    } else {
      // The Date header has 1 s resolution and was stamped somewhere within the request.
      const skew = Math.round(((started + finished) / 2 - date) / 1000);
      const limit = o.maxSkewSeconds ?? t.clockSkewSeconds ?? 60;
      add('clock-skew', Math.abs(skew) > limit ? 'fail' : 'ok', `local clock is ${skew >= 0 ? '+' : ''}${skew} s from the issuer's (tolerated: ${limit} s)${Math.abs(skew) > limit ? '; sync this machine\'s clock (NTP) or the issuer\'s' : ''}`);
    }
  } catch (e) {
    add('issuer-metadata', 'fail', `GET ${discoveryUrl} failed: ${withCause(e, 200)}`);
  }

  const jwksUri = t.jwksUri ?? discoveredJwks;
  if (jwksUri === undefined) {
    add('jwks', 'fail', 'no jwks_uri: neither configured nor published in the issuer metadata');
    return checks;
  }
  if (t.jwksUri !== undefined && discoveredJwks !== undefined && discoveredJwks !== t.jwksUri && !isDeployTime(t.jwksUri)) {
    add('jwks-uri', 'fail', `configured jwksUri ${t.jwksUri} differs from the issuer's jwks_uri ${discoveredJwks}`, jwksUri);
  }
  if (isDeployTime(jwksUri)) {
    add('jwks', 'skip', `resolved at deploy (${deployTimeParts(jwksUri).join(', ')})`, jwksUri);
    return checks;
  }
  const jwksProblem = urlProblem(jwksUri, o.allowLoopback);
  if (jwksProblem) {
    add('jwks', 'fail', `jwksUri ${jwksProblem}`, jwksUri);
    return checks;
  }
  ctx.progress(`fetching ${jwksUri}`);
  try {
    const res = await ctx.deps.httpGet(jwksUri, { timeoutMs: o.timeoutMs });
    if (res.status !== 200) {
      add('jwks', 'fail', `GET answered ${res.status}`, jwksUri);
    } else {
      const body = JSON.parse(res.body) as { keys?: unknown };
      const keys = Array.isArray(body.keys) ? (body.keys as Array<{ kid?: unknown; kty?: unknown; use?: unknown }>).filter((k) => typeof k?.kty === 'string') : [];
      const signing = keys.filter((k) => k.use === undefined || k.use === 'sig');
      if (signing.length === 0) add('jwks', 'fail', 'the JWKS has no signing keys: every token would be refused', jwksUri);
      else add('jwks', 'ok', `${signing.length} signing key(s): ${signing.map((k) => String(k.kid ?? '(no kid)')).join(', ')}`, jwksUri);
    }
  } catch (e) {
    add('jwks', 'fail', `GET ${jwksUri} failed: ${withCause(e, 200)}`, jwksUri);
  }
  return checks;
}

async function checkTable(ctx: CommandContext, tableName: string): Promise<Check> {
  if (isDeployTime(tableName)) return { check: 'table', target: tableName, status: 'skip', detail: 'resolved at deploy: pass --table' };
  ctx.progress(`describing table ${tableName}`);
  try {
    const d = await new PlatformStore(ctx.deps.dynamodb(ctx.target), tableName).describe();
    const schemaOk = d.keys.includes('pk:HASH') && d.keys.includes('sk:RANGE');
    if (!schemaOk) return { check: 'table', target: tableName, status: 'fail', detail: `key schema is ${d.keys.join(', ')}; the platform needs pk (HASH) and sk (RANGE)` };
    if (d.status !== 'ACTIVE') return { check: 'table', target: tableName, status: 'fail', detail: `table status is ${d.status ?? 'unknown'}` };
    return { check: 'table', target: tableName, status: 'ok', detail: 'ACTIVE, keys pk/sk' };
  } catch (e) {
    return { check: 'table', target: tableName, status: 'fail', detail: toCliError(e).message };
  }
}

async function doctor(ctx: CommandContext, o: DoctorOptions): Promise<number> {
  const timeout = ctx.check(() => parseDuration('--timeout', o.timeout, { seconds: 60, text: '60s' }));
  if (timeout === 0) ctx.problem('--timeout must be longer than 0');
  const maxSkewSeconds = o.maxSkew !== undefined ? ctx.check(() => parseDuration('--max-skew', o.maxSkew!, { seconds: 3600, text: '1h' })) : undefined;
  if (o.jwksUri !== undefined && (o.issuer?.length ?? 0) !== 1) ctx.problem('--jwks-uri goes with exactly one --issuer');
  ctx.endChecks();
  const timeoutMs = timeout! * 1000;
  const checks: Check[] = [];
  const issuers: IssuerTarget[] = [];
  const tables = new Set<string>();

  if (o.cdkOut !== undefined) {
    const dir = path.resolve(o.cdkOut);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the folder
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw notFound(`--cdk-out ${o.cdkOut} is not a folder: run \`cdk synth\` first or pass its output folder`);
    const found = authorizerConfigs(dir);
    if (found.length === 0) throw notFound(`no authorizer (a Lambda function with authorizer-config.json in its asset, or AUTHORIZER_CONFIG) in ${o.cdkOut}: is it the platform's cloud assembly?`);
    for (const f of found) {
      if (!f.config) {
        checks.push({ check: 'authorizer-config', target: f.source, status: 'fail', detail: f.error ?? 'unreadable' });
        continue;
      }
      checks.push({ check: 'authorizer-config', target: f.source, status: 'ok', detail: `${f.config.issuers?.length ?? 0} issuer(s), table ${f.config.tableName ?? '(none)'}` });
      const skew = f.config.clockSkewSeconds;
      for (const i of f.config.issuers ?? []) issuers.push({ issuer: i.issuer, jwksUri: i.jwksUri, clockSkewSeconds: skew, source: f.source });
      if (f.config.tableName && ctx.options.table === undefined) tables.add(f.config.tableName);
    }
  }
  for (const issuer of o.issuer ?? []) issuers.push({ issuer, jwksUri: o.jwksUri, source: '--issuer' });
  if (ctx.tableName) tables.add(ctx.tableName);
  // When the spec says the account's API Gateway logs role is managed elsewhere, the platform does not create it:
  // check that it is there, in every region of the spec (the setting is per account and region).
  const specFile = specFileOf(o.spec);
  const spec = specFile === undefined ? undefined : readSpecFile(specFile);
  const logsRoleRegions = spec?.apiGatewayLogsRole === 'managedElsewhere'
    ? [...new Set(spec.regions.length > 0 ? spec.regions : ctx.target.region ? [ctx.target.region] : [])]
    : [];
  if (spec?.apiGatewayLogsRole === 'managedElsewhere' && logsRoleRegions.length === 0) throw usage(`the spec (${specFile}) names no region: pass --region to check the API Gateway logs role`);
  if (issuers.length === 0 && tables.size === 0 && logsRoleRegions.length === 0) {
    throw usage('nothing to check: pass --cdk-out <dir>, or --issuer <url> and/or --table / --platform, or --spec with observability.apiGatewayLogsRole \'managedElsewhere\'');
  }

  const seen = new Set<string>();
  for (const t of issuers) {
    const key = `${t.issuer} ${t.jwksUri ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checks.push(...await checkIssuer(ctx, t, { allowLoopback: o.allowInsecureLoopback === true, timeoutMs, maxSkewSeconds }));
  }
  for (const table of tables) checks.push(await checkTable(ctx, table));
  for (const region of logsRoleRegions) {
    ctx.progress(`reading API Gateway's account settings in ${region}`);
    const r = await checkLogsRole(ctx.deps.accountLogsRole({ ...ctx.target, region }), region);
    checks.push({ check: 'apigateway-logs-role', target: region, status: r.status, detail: r.detail });
  }

  const failed = checks.filter((c) => c.status === 'fail').length;
  // Reading the configuration is not a health check: a pass needs an issuer, JWKS, clock or table actually checked.
  const passed = checks.filter((c) => c.status === 'ok' && c.check !== 'authorizer-config').length;
  const skipped = checks.filter((c) => c.status === 'skip').length;
  // Doctor passes only on what it checked: skipped checks (values known only at deploy) are not passes.
  const ok = failed === 0 && passed > 0;
  const verdict = failed > 0
    ? `${failed} check(s) failed, ${passed} passed, ${skipped} skipped`
    : passed === 0
      ? `nothing was checked: all ${skipped} check(s) skipped; run doctor against the deployed platform (--issuer <url>, --table <name>)`
      : `${passed} check(s) passed${skipped > 0 ? `, ${skipped} skipped (not checked: see above)` : ''}`;
  ctx.result(
    [...ctx.table(['STATUS', 'CHECK', 'TARGET', 'DETAIL'], checks.map((c) => [c.status, c.check, c.target, c.detail])), verdict],
    { ok, passed, failed, skipped, verdict, checks },
  );
  return ok ? ExitCode.OK : ExitCode.CHECK_FAILED;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function doctorCommand(runner: Runner): Command {
  const cmd = addCommonOptions(new Command('doctor').description('check issuers, JWKS, table and clock of a deployed or synthesized platform (exit 1 when a check fails)')
    .option('--cdk-out <dir>', 'read the authorizer configuration from a synthesized cloud assembly')
    .option('--issuer <url>', 'an issuer to check (repeatable)', collect)
    .option('--jwks-uri <url>', 'the issuer\'s JWKS (default: jwks_uri from its metadata)')
    .option('--allow-insecure-loopback', 'accept http on 127.0.0.1/localhost (tests only; production refuses non-https)')
    .option('--max-skew <duration>', 'tolerated clock skew (default: the configuration\'s clockSkewSeconds, else 60s)')
    .option('--timeout <duration>', 'deadline of each HTTP request', '5s')
    .option('--spec <file.json>', 'the platform spec: with observability.apiGatewayLogsRole \'managedElsewhere\', check the account\'s API Gateway logs role in each of its regions (default: $SECURE_API_PLATFORM_SPEC, else ./platform.json)'));
  cmd.action(runner(async (ctx) => doctor(ctx, cmd.opts<DoctorOptions>())));
  return cmd;
}
