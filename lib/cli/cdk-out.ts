/**
 * Reads the authorizer configuration from a synthesized cloud assembly: the `AUTHORIZER_CONFIG` environment variable
 * of each authorizer function. Values only known at deploy time (CloudFormation intrinsics such as `Ref` of an SSM
 * parameter) are replaced by a marker, so the rest can still be checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuthorizerConfig } from '../authorizer/config';

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
    let template: { Resources?: Record<string, { Type?: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }> };
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the folder the operator named
      template = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const raw = resource.Type === 'AWS::Lambda::Function' ? resource.Properties?.Environment?.Variables?.AUTHORIZER_CONFIG : undefined;
      if (raw === undefined) continue;
      const source = `${path.relative(cdkOut, file)}#${logicalId}`;
      try {
        found.push({ source, config: JSON.parse(render(raw)) as AuthorizerConfig });
      } catch (e) {
        found.push({ source, error: `AUTHORIZER_CONFIG is not JSON once rendered (${e instanceof Error ? e.message : String(e)})` });
      }
    }
  }
  return found;
}
