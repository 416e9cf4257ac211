/**
 * The slice of the platform spec the CLI needs (plan names, APIs, regions), from a JSON file (`--spec`, e.g. the
 * spec an app exports with `JSON.stringify(spec)`) or from flags (`--plans`, `--api`). No TypeScript is executed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notFound, usage } from './errors';
import { checkPlanName, checkPlatform, list } from './validate';

export interface SpecSlice {
  readonly name?: string;
  readonly plans: readonly string[];
  readonly apis: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly regions: readonly string[];
  /** Scopes the spec's APIs declare (`apis[].scopes`); undefined when the slice came from flags. */
  readonly scopes?: readonly string[];
  /** Who creates the account's API Gateway CloudWatch Logs role (`observability.apiGatewayLogsRole`); undefined from flags. */
  readonly apiGatewayLogsRole?: 'platform' | 'managedElsewhere';
}

/** The spec file `spec write` writes and the other commands read by default. */
export const DEFAULT_SPEC_FILE = 'platform.json';
/** The environment variable that names the spec file when `--spec` is not given. */
export const SPEC_ENV = 'SECURE_API_PLATFORM_SPEC';

const API_REF = /^([a-z][a-z0-9-]{0,31}):(v[0-9][a-z0-9.-]{0,15})$/;

export function parseApis(value: string): Array<{ name: string; version: string }> {
  return list(value).map((ref) => {
    const m = API_REF.exec(ref);
    if (!m) throw usage(`--api must be <api>:<version> like orders:v1, comma-separated (received: ${JSON.stringify(ref)})`);
    return { name: m[1], version: m[2] };
  });
}

/** Reads `--spec <file.json>`: a PlatformSpec as JSON. */
export function readSpecFile(file: string): SpecSlice {
  const full = path.resolve(file);
  let text: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the operator names the file
    text = fs.readFileSync(full, 'utf8');
  } catch {
    throw notFound(`--spec ${file}: file not found or unreadable; pass the platform spec as JSON`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw usage(`--spec ${file} is not JSON: export the spec with JSON.stringify(spec) (TypeScript specs are not executed)`);
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { plans?: unknown }).plans !== 'object' || (raw as { plans?: unknown }).plans === null) {
    throw usage(`--spec ${file} has no \`plans\` object: is it a PlatformSpec?`);
  }
  const spec = raw as { name?: unknown; plans: Record<string, unknown>; apis?: unknown; regions?: { primary?: unknown; secondaries?: unknown } };
  const plans = Object.keys(spec.plans).map(checkPlanName);
  const apis = Array.isArray(spec.apis)
    ? spec.apis.flatMap((a: { name?: unknown; version?: unknown }) => (typeof a?.name === 'string' && typeof a?.version === 'string' ? [{ name: a.name, version: a.version }] : []))
    : [];
  const regions = [spec.regions?.primary, ...(Array.isArray(spec.regions?.secondaries) ? spec.regions.secondaries : [])].filter((r): r is string => typeof r === 'string');
  const scopes = Array.isArray(spec.apis)
    ? [...new Set(spec.apis.flatMap((a: { scopes?: unknown }) => (typeof a?.scopes === 'object' && a.scopes !== null ? Object.keys(a.scopes) : [])))].sort()
    : [];
  const logsRole = (raw as { observability?: { apiGatewayLogsRole?: unknown } }).observability?.apiGatewayLogsRole;
  const apiGatewayLogsRole = logsRole === 'managedElsewhere' ? 'managedElsewhere' : logsRole === undefined || logsRole === 'platform' ? 'platform' : undefined;
  if (apiGatewayLogsRole === undefined) throw usage(`--spec ${file}: observability.apiGatewayLogsRole must be 'platform' or 'managedElsewhere' (received: ${JSON.stringify(logsRole)})`);
  return { name: typeof spec.name === 'string' ? checkPlatform(spec.name) : undefined, plans, apis, regions, scopes, apiGatewayLogsRole };
}

/** The spec file to read: `--spec`, else $SECURE_API_PLATFORM_SPEC, else ./platform.json when it exists. */
export function specFileOf(option: string | undefined): string | undefined {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name in the working folder
  return option ?? process.env[SPEC_ENV] ?? (fs.existsSync(DEFAULT_SPEC_FILE) ? DEFAULT_SPEC_FILE : undefined);
}

/** The spec slice from `--spec` or `--plans` / `--api`; flags given explicitly win over the file. */
export function specFromOptions(o: { spec?: string; plans?: string; api?: string }): SpecSlice {
  const file = o.spec !== undefined ? readSpecFile(o.spec) : undefined;
  const plans = o.plans !== undefined ? list(o.plans).map(checkPlanName) : file?.plans;
  if (!plans || plans.length === 0) throw usage('the platform\'s plans are needed: pass --plans standard,premium or --spec <platform-spec.json>');
  return {
    name: file?.name,
    plans,
    apis: o.api !== undefined ? parseApis(o.api) : file?.apis ?? [],
    regions: file?.regions ?? [],
    scopes: file?.scopes,
  };
}
