/**
 * Where things come from: the source line that created a resource (CDK's `aws:cdk:creationStack` metadata) and the
 * code that made an acknowledgment (the trace CDK records with `aws:cdk:acknowledged-rules`), as repository-relative
 * paths, so code scanning can annotate a pull request and an assessor can tell who acknowledged what.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * CDK's metadata types this module reads, named here for the report code that must not load aws-cdk-lib (the Azure
 * side renders reports too): `cxschema.ArtifactMetadataEntryType.CREATION_STACK` and
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, which a test holds them equal to.
 */
export const CREATION_STACK_METADATA = 'aws:cdk:creationStack';
export const ACKNOWLEDGED_RULES_METADATA = 'aws:cdk:acknowledged-rules';

/** A line of source, relative to the repository root (forward slashes). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** Who made an acknowledgment: aws-cdk-lib itself, this library, or the application that uses it. */
export type AckOrigin = 'aws-cdk-lib' | 'library' | 'app';

/** File, line and column of one stack frame (`at fn (/a/b.ts:12:5)`, `/a/b.ts:12:5`, `fn (file:///a/b.js:1:2)`). */
export function parseFrame(frame: string): { file: string; line: number; column: number } | undefined {
  const m = /\(?((?:file:\/\/)?(?:[A-Za-z]:)?[/\\][^()]*?):(\d+):(\d+)\)?\s*$/.exec(frame.trim());
  if (!m) return undefined;
  const file = m[1].startsWith('file://') ? decodeURIComponent(m[1].slice('file://'.length)) : m[1];
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

const inNodeModules = (file: string): boolean => /[/\\]node_modules[/\\]/.test(file);
const toPosix = (p: string): string => p.split(path.sep).join('/');

/** The repository root of each folder asked about: a folder's top level does not change while a synth runs. */
const ROOTS = new Map<string, string>();

/**
 * The repository root of `dir` (the working folder, where `cdk synth` runs): the git top level, else the nearest folder with a package.json, else `dir`.
 * SARIF locations and template paths are relative to it.
 */
export function repositoryRoot(dir: string = process.cwd()): string {
  const key = path.resolve(dir);
  let root = ROOTS.get(key);
  if (root === undefined) ROOTS.set(key, root = findRepositoryRoot(key));
  return root;
}
function findRepositoryRoot(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    for (let d = dir; ; d = path.dirname(d)) {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- probing for package.json above the working folder
      if (fs.existsSync(path.join(d, 'package.json'))) return d;
      if (path.dirname(d) === d) return dir;
    }
  }
}

/**
 * The commit checked out at `root` (and whether the work tree has changes to tracked files), when it is a git
 * repository with a commit: one `git status` gives both (`# branch.oid` and a line per change).
 */
export function gitCommit(root: string): { commit: string; dirty: boolean } | undefined {
  try {
    const status = execFileSync('git', ['status', '--porcelain=v2', '--branch', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = status.split('\n').filter((l) => l.length > 0);
    const commit = /^# branch\.oid ([0-9a-f]{40})$/m.exec(status)?.[1];
    return commit ? { commit, dirty: lines.some((l) => !l.startsWith('#')) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first frame of a creation stack inside the repository and outside `node_modules`: for a consumer of this
 * library, the line of their own app that created the construct (e.g. their `new SecureApiPlatform(…)`).
 */
export function firstRepositoryFrame(trace: readonly string[] | undefined, root: string): SourceLocation | undefined {
  for (const frame of trace ?? []) {
    const f = parseFrame(frame);
    if (!f || inNodeModules(f.file) || !path.isAbsolute(f.file)) continue;
    const rel = path.relative(root, f.file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    return { file: toPosix(rel), line: f.line, column: f.column };
  }
  return undefined;
}

/** The folder of this library's package (where its package.json is), from this module's location. */
function libraryRoot(): string {
  for (const dir of [path.join(__dirname, '..', '..', '..'), path.join(__dirname, '..', '..', '..', '..')]) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name above this module
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.resolve(dir);
  }
  return path.resolve(__dirname, '..', '..', '..');
}
const LIBRARY_ROOT = libraryRoot();
const ACKNOWLEDGE_MODULE = /[/\\]lib[/\\]compliance[/\\]aws[/\\]acknowledge\.[jt]s$/;

/**
 * Who made an acknowledgment, from the trace CDK recorded with it: the first frame that is neither aws-cdk-lib's
 * `Validations` machinery nor this library's `acknowledge()` helper decides. aws-cdk-lib's own constructs → `aws-cdk-lib`;
 * this library's constructs → `library`; anything else → `app`. Undefined when no trace was recorded.
 */
export function ackOrigin(trace: readonly string[] | undefined, libRoot: string = LIBRARY_ROOT): AckOrigin | undefined {
  for (const frame of trace ?? []) {
    const f = parseFrame(frame);
    if (!f) continue;
    if (/[/\\]node_modules[/\\](aws-cdk-lib|constructs)[/\\]/.test(f.file)) {
      if (/[/\\]core[/\\]lib[/\\](validation|stack-trace|debug)/.test(f.file) || /[/\\]node_modules[/\\]constructs[/\\]/.test(f.file)) continue;
      return 'aws-cdk-lib';
    }
    if (ACKNOWLEDGE_MODULE.test(f.file)) continue;
    if (/^node:|^internal[/\\]/.test(f.file)) continue;
    const rel = path.relative(libRoot, f.file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel) && !/^node_modules[/\\]/.test(rel)) {
      // In this repository the example app and the tests live beside the library: they are the app.
      return /^(examples|test|bench)[/\\]/.test(rel) ? 'app' : 'library';
    }
    return 'app';
  }
  return undefined;
}

/** The version in the package.json of `name` (this library when `name` is undefined), or undefined. */
export function packageVersion(name?: string): string | undefined {
  if (name !== undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(`${name}/package.json`) as { version?: string }).version;
    } catch {
      return undefined;
    }
  }
  // Source (lib/compliance/report) and build (dist/lib/compliance/report) sit at different depths below package.json.
  for (const dir of [path.join(__dirname, '..', '..', '..'), path.join(__dirname, '..', '..', '..', '..')]) {
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name next to this module
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@secure-api-platform/platform' && typeof pkg.version === 'string') {
        // An unreleased checkout says which commit of the library it is.
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- the library's own folder
        const commit = pkg.version === '0.0.0' && fs.existsSync(path.join(dir, '.git')) ? gitCommit(dir)?.commit : undefined;
        return commit ? `${pkg.version}+${commit.slice(0, 12)}` : pkg.version;
      }
    } catch {
      // try the next location
    }
  }
  return undefined;
}

/** The versions the provenance block names. */
export function toolVersions(): Record<string, string> {
  return {
    'secure-api-platform': packageVersion() ?? 'unknown',
    'aws-cdk-lib': packageVersion('aws-cdk-lib') ?? 'unknown',
    'cdk-nag': packageVersion('cdk-nag') ?? 'unknown',
  };
}
