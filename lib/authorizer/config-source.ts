/**
 * Where a deployed authorizer finds its configuration. Lambda allows 4 KB of environment in all, which holds about 70
 * routes, so the configuration travels in the code asset: `authorizer-config.json` beside the bundled handler, written
 * at synth. The values only known at deploy (the user pool id read from SSM, its client ids, ...) cannot be in a file
 * built before the deployment: the file lists where they go and `AUTHORIZER_DEPLOY_VALUES` (a JSON array in the
 * environment) holds them, in that order. `AUTHORIZER_CONFIG` (the whole configuration as JSON) still works for local
 * runs and tests, and wins when set.
 */
// Named imports, not `import * as`: the bundle would copy each whole module object at load (a cold start's time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorizerConfig } from './config';

/** The file beside the handler. */
export const CONFIG_FILE = 'authorizer-config.json';
/** The environment variable with the deploy-time values. */
export const DEPLOY_VALUES_ENV = 'AUTHORIZER_DEPLOY_VALUES';
/** The environment variable with a whole inline configuration (local runs, tests). */
export const INLINE_CONFIG_ENV = 'AUTHORIZER_CONFIG';

/** A location in the configuration: object keys and array indexes from the root. */
export type ConfigPath = ReadonlyArray<string | number>;

/** The content of {@link CONFIG_FILE}. */
export interface ConfigFile {
  /** The configuration, deploy-time values left out (empty strings at their places). */
  readonly config: AuthorizerConfig;
  /** Where each value of `AUTHORIZER_DEPLOY_VALUES` goes, in order. */
  readonly deployTime: ConfigPath[];
}

/**
 * Splits a configuration into the file's content and the deploy-time values (each string for which `isDeployTime`
 * is true), in the order of `deployTime`.
 */
export function splitConfig(config: AuthorizerConfig, isDeployTime: (value: string) => boolean): { file: ConfigFile; values: string[] } {
  const deployTime: ConfigPath[] = [];
  const values: string[] = [];
  const walk = (node: unknown, at: Array<string | number>): unknown => {
    if (typeof node === 'string') {
      if (!isDeployTime(node)) return node;
      deployTime.push([...at]);
      values.push(node);
      return '';
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...at, i]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...at, k])]));
    }
    return node;
  };
  return { file: { config: walk(config, []) as AuthorizerConfig, deployTime }, values };
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The configuration from the file's content and the deploy-time values (throws on a mismatch). */
export function joinConfig(file: ConfigFile, values: unknown): AuthorizerConfig {
  const places = Array.isArray(file?.deployTime) ? file.deployTime : [];
  if (!Array.isArray(values) || values.length !== places.length || values.some((v) => typeof v !== 'string')) {
    throw new Error(`${DEPLOY_VALUES_ENV} must be a JSON array of ${places.length} strings (received ${Array.isArray(values) ? `${values.length} values` : typeof values})`);
  }
  const config = JSON.parse(JSON.stringify(file.config)) as Record<string, unknown>;
  places.forEach((at, i) => {
    // Only own properties, all the way down: a place can never reach a prototype.
    const nowhere = new Error(`${CONFIG_FILE}: deployTime[${i}] names no place in the configuration`);
    if (!Array.isArray(at) || at.length === 0) throw nowhere;
    let node: Record<string | number, unknown> = config;
    at.forEach((key, depth) => {
      if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key) || FORBIDDEN_KEYS.has(String(key))) throw nowhere;
      if (depth === at.length - 1) node[key] = values[i];
      else node = node[key] as Record<string | number, unknown>;
    });
  });
  return config as unknown as AuthorizerConfig;
}

/**
 * The configuration of this sandbox: `AUTHORIZER_CONFIG` when set, else {@link CONFIG_FILE} in `dir` joined with
 * `AUTHORIZER_DEPLOY_VALUES`. Throws a message that says what is missing (the handler logs it and denies).
 */
export function readConfig(env: NodeJS.ProcessEnv, dir: string): AuthorizerConfig {
  const inline = env[INLINE_CONFIG_ENV];
  if (inline) return JSON.parse(inline) as AuthorizerConfig;
  const file = join(dir, CONFIG_FILE);
  let text: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the handler's own folder
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${INLINE_CONFIG_ENV} is not set and ${CONFIG_FILE} is not beside the handler`);
  }
  return joinConfig(JSON.parse(text) as ConfigFile, JSON.parse(env[DEPLOY_VALUES_ENV] ?? '[]'));
}
