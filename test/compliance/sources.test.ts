// Where the evidence's provenance comes from: the repository root (asked once per folder and process) and the commit with whether
// the tracked files have changes, from a real git repository in a temporary folder.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import * as childProcess from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { ACKNOWLEDGED_RULES_METADATA, CREATION_STACK_METADATA, gitCommit, repositoryRoot } from '../../lib/compliance/report/sources';

const git = (cwd: string, ...args: string[]): string => childProcess.execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

describe('git provenance', () => {
  let repo: string;
  beforeEach(() => {
    repo = realpathSync(mkdtempSync(join(tmpdir(), 'sources-git-')));
    git(repo, 'init', '-q');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'Test');
    git(repo, 'config', 'commit.gpgsign', 'false');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  test('no commit yet: no provenance; then the commit, clean; a changed tracked file makes it dirty; an untracked file does not', () => {
    writeFileSync(join(repo, 'a.txt'), 'one\n');
    expect(gitCommit(repo)).toBeUndefined();
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'first');
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(gitCommit(repo)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(repo, 'untracked.txt'), 'new\n');
    expect(gitCommit(repo)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(repo, 'a.txt'), 'two\n');
    expect(gitCommit(repo)).toEqual({ commit: head, dirty: true });
    git(repo, 'add', 'a.txt');
    expect(gitCommit(repo)).toEqual({ commit: head, dirty: true });
  });

  test('not a repository: no provenance', () => {
    const plain = mkdtempSync(join(tmpdir(), 'sources-plain-'));
    try {
      expect(gitCommit(plain)).toBeUndefined();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  test('the repository root of a folder is asked of git once per process: the answer stays while the synth runs', () => {
    const sub = join(repo, 'packages', 'app');
    mkdirSync(sub, { recursive: true });
    expect(repositoryRoot(sub)).toBe(repo);
    // Asked again after the repository is gone, the folder keeps its first answer (git would now find no repository).
    renameSync(join(repo, '.git'), join(repo, 'git-moved'));
    expect(() => git(sub, 'rev-parse', '--show-toplevel')).toThrow();
    expect(repositoryRoot(sub)).toBe(repo);
    expect(repositoryRoot(`${sub}/`)).toBe(repo);
    // Another folder is asked afresh: no repository, no package.json above it, so the folder itself.
    const other = join(repo, 'other');
    mkdirSync(other);
    expect(repositoryRoot(other)).toBe(other);
  });
});

test('the metadata types the reports read are CDK\'s own', () => {
  expect(CREATION_STACK_METADATA).toBe(cxschema.ArtifactMetadataEntryType.CREATION_STACK);
  expect(ACKNOWLEDGED_RULES_METADATA).toBe(Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
});
