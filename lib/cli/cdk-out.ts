/**
 * Reads the authorizer configuration from a synthesized cloud assembly: `authorizer-config.json` in each authorizer
 * function's code asset joined with its `AUTHORIZER_DEPLOY_VALUES` (or an `AUTHORIZER_CONFIG` environment variable,
 * as older assemblies have it). Values only known at deploy time (CloudFormation intrinsics such as `Ref` of an SSM
 * parameter) are replaced by a marker, so the rest can still be checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuthorizerConfig } from '../authorizer/config';
import { CONFIG_FILE, ConfigFile, DEPLOY_VALUES_ENV, joinConfig } from '../authorizer/config-source';

const MARKER = '{{resolved-at-deploy:';

/** Whether a value (a URL, a table name) holds a part only known at deploy time. */
export function isDeployTime(value: string | undefined): boolean {
  return value !== undefined && value.includes(MARKER);
}

/** The intrinsics a deploy-time value is made of, e.g. `Ref SsmParameterValue...`. */
export function deployTimeParts(value: string): string[] {
  return [...value.matchAll(/\{\{resolved-at-deploy:([^}]*)\}\}/g)].map((m) => m[1]);
}

/** A CloudFormation value rendered as a string; intrinsics become markers (safe inside a JSON string). */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const [name, arg] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', undefined];
    if (name === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) return (arg[1] as unknown[]).map(render).join(arg[0]);
    const what = name === 'Ref' && typeof arg === 'string' ? `Ref ${arg}` : name === 'Fn::GetAtt' && Array.isArray(arg) ? `GetAtt ${arg.join('.')}` : name;
    return `${MARKER}${what.replace(/[^A-Za-z0-9 ._:-]/g, '')}}}`;
  }
  return `${MARKER}unknown}}`;
}

export interface FoundConfig {
  /** `<template file>#<logical id>` */
  readonly source: string;
  readonly config?: AuthorizerConfig;
  /** Why the configuration could not be read. */
  readonly error?: string;
}

function templates(dir: string, depth: number): string[] {
  const out: string[] = [];
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the folder the operator named
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth < 3 && entry.name.startsWith('assembly-')) out.push(...templates(full, depth + 1));
    else if (entry.isFile() && entry.name.endsWith('.template.json')) out.push(full);
  }
  return out.sort();
}

/** Every authorizer configuration in a cloud assembly (nested stage assemblies included). */
export function authorizerConfigs(cdkOut: string): FoundConfig[] {
  const found: FoundConfig[] = [];
  for (const file of templates(cdkOut, 0)) {
    type Properties = { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
    let template: { Resources?: Record<string, { Type?: string; Properties?: Properties }> };
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the folder the operator named
      template = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables = resource.Properties?.Environment?.Variables ?? {};
      const raw = variables.AUTHORIZER_CONFIG;
      const source = `${path.relative(cdkOut, file)}#${logicalId}`;
      if (raw !== undefined) {
        try {
          found.push({ source, config: JSON.parse(render(raw)) as AuthorizerConfig });
        } catch (e) {
          found.push({ source, error: `AUTHORIZER_CONFIG is not JSON once rendered (${e instanceof Error ? e.message : String(e)})` });
        }
        continue;
      }
      // The configuration in the code asset (asset.<hash> beside the template, the hash in the S3 key).
      const key = resource.Properties?.Code?.S3Key;
      const hash = typeof key === 'string' ? /^([a-f0-9]{64})\.zip$/.exec(key)?.[1] : undefined;
      const configFile = hash === undefined ? undefined : path.join(path.dirname(file), `asset.${hash}`, CONFIG_FILE);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the folder the operator named
      if (configFile === undefined || !fs.existsSync(configFile)) continue;
      try {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the folder the operator named
        const content = JSON.parse(fs.readFileSync(configFile, 'utf8')) as ConfigFile;
        const values = variables[DEPLOY_VALUES_ENV] === undefined ? [] : JSON.parse(render(variables[DEPLOY_VALUES_ENV])) as unknown;
        found.push({ source, config: joinConfig(content, values) });
      } catch (e) {
        found.push({ source, error: `${CONFIG_FILE} with ${DEPLOY_VALUES_ENV} is not a configuration once rendered (${e instanceof Error ? e.message : String(e)})` });
      }
    }
  }
  return found;
}
