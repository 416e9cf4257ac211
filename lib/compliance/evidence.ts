import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Acknowledgment, acknowledgmentsOf } from './acknowledge';
import { IRecordingPack, RuleInfo, RuleResult } from './recording';
import { ackOrigin, AckOrigin, firstRepositoryFrame, gitCommit, packageVersion, repositoryRoot, SourceLocation, toolVersions } from './report/sources';
import { PublicRouteRef, RuleContext } from './rule';
import { ProfileMinimums } from '../spec/profiles';
import { ComplianceProfile } from '../spec/types';

export { packageVersion, toolVersions };

/** Version of the evidence file format (`compliance/evidence.json`). */
export const EVIDENCE_SCHEMA_VERSION = 1;

/** An acknowledgment as the evidence records it: who made it (from CDK's recorded trace) and where. */
export interface AcknowledgmentRecord extends Acknowledgment {
  /** aws-cdk-lib, this library or the app, from the trace CDK recorded with the acknowledgment. */
  readonly origin?: AckOrigin;
  /** The line that made the acknowledgment, relative to the repository root. */
  readonly source?: SourceLocation;
}

/** What the evidence was produced from: enough to reproduce it and to tell two runs apart. */
export interface Provenance {
  /** The commit checked out when the evidence was written (and whether the work tree had changes). */
  readonly commit?: string;
  readonly dirty?: boolean;
  /** The cloud assembly folder, relative to the repository root (e.g. `cdk.out`). */
  readonly cdkOut?: string;
  /** SHA-256 of each template, by path relative to the cloud assembly folder (sorted by path). */
  readonly templates: readonly { readonly path: string; readonly sha256: string }[];
  /** Versions of this library, aws-cdk-lib and cdk-nag that produced the evidence. */
  readonly versions: Readonly<Record<string, string>>;
}

/** Why the evidence does not describe a production configuration (a lean synth). */
export interface DemoMode {
  readonly reason: string;
}

/** Everything the reports say, as recorded at synth; `renderReports` re-renders the reports from it. */
export interface EvidenceBundle {
  readonly schemaVersion: number;
  readonly generatedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  /** The spec's name, when the platform pack was given one. */
  readonly platform?: string;
  readonly profiles: readonly ComplianceProfile[];
  readonly minimums: ProfileMinimums;
  readonly publicRoutes: readonly PublicRouteRef[];
  /** Each pack that ran, with every rule it applied (whether or not anything matched). */
  readonly packs: readonly { readonly name: string; readonly version?: string; readonly rules: readonly RuleInfo[] }[];
  /** Every applicable rule result (pass, fail, acknowledged, error). */
  readonly results: readonly RuleResult[];
  /** Every acknowledgment in the app, with its reason. */
  readonly acknowledgments: readonly AcknowledgmentRecord[];
  readonly stacks: readonly { readonly path: string; readonly template?: string }[];
  /**
   * The source line that created each resource with a finding or an acknowledged finding (the first frame of CDK's
   * creation stack inside the repository and outside node_modules), by construct path.
   * @default - none recorded
   */
  readonly sources?: Readonly<Record<string, SourceLocation>>;
  /** @default - not recorded */
  readonly provenance?: Provenance;
  /** Set when the synth is a demo (lean) configuration: the reports say so in a banner. */
  readonly demo?: DemoMode;
}

const sha256 = (file: string): string | undefined => {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a template of the cloud assembly being reported
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
};

/** Provenance of evidence about the templates under `cdkOut`: commit, template hashes, versions. */
export function provenanceOf(cdkOut: string | undefined, templates: readonly (string | undefined)[]): Provenance {
  const root = repositoryRoot();
  const git = gitCommit(root);
  const hashed = cdkOut === undefined ? [] : [...new Set(templates.filter((t): t is string => t !== undefined))].sort()
    .flatMap((t) => {
      const digest = sha256(path.join(cdkOut, t));
      return digest ? [{ path: t, sha256: digest }] : [];
    });
  const rel = cdkOut === undefined ? undefined : path.relative(root, cdkOut).split(path.sep).join('/');
  return {
    commit: git?.commit,
    dirty: git?.dirty,
    cdkOut: rel === undefined || rel.startsWith('..') ? undefined : rel || '.',
    templates: hashed,
    versions: toolVersions(),
  };
}

const CREATION_STACK = 'aws:cdk:creationStack';

/** Source lines of the resources named in `paths`, from their creation stacks (construct metadata). */
function sourcesOf(root: IConstruct, paths: ReadonlySet<string>, repoRoot: string): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  for (const c of root.node.findAll()) {
    if (!paths.has(c.node.path)) continue;
    const trace = c.node.metadata.find((m) => m.type === CREATION_STACK)?.data as string[] | undefined;
    const at = firstRepositoryFrame(trace, repoRoot);
    if (at) out[c.node.path] = at;
  }
  return sortKeys(out);
}

/** The acknowledgments under `root` with who made them and where, from the traces CDK recorded. */
function acknowledgmentRecords(root: IConstruct, repoRoot: string): AcknowledgmentRecord[] {
  const traces = new Map<string, readonly string[]>();
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data || !entry.trace) continue;
      for (const id of Object.keys(entry.data as Record<string, string>)) traces.set(`${c.node.path}\u0000${id.replace(/^annotation::/i, '')}`, entry.trace);
    }
  }
  return acknowledgmentsOf(root).map((a) => withTrace(a, traces.get(`${a.constructPath}\u0000${a.ruleId}`), repoRoot));
}

/** An acknowledgment with the origin and source line its trace tells. */
export function withTrace(a: Acknowledgment, trace: readonly string[] | undefined, repoRoot: string): AcknowledgmentRecord {
  const origin = ackOrigin(trace);
  const source = firstAckFrame(trace, repoRoot);
  return { ...a, ...(origin ? { origin } : {}), ...(source ? { source } : {}) };
}

/** The line that called acknowledge() (or Validations.acknowledge): the first repository frame past the helper itself. */
function firstAckFrame(trace: readonly string[] | undefined, repoRoot: string): SourceLocation | undefined {
  return firstRepositoryFrame((trace ?? []).filter((f) => !/[/\\]lib[/\\]compliance[/\\]acknowledge\.[jt]s:/.test(f)), repoRoot);
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Extra inputs of the evidence besides the packs. */
export interface EvidenceOptions {
  /** The spec's name. */
  readonly platform?: string;
  /** Set for a demo (lean) configuration. */
  readonly demo?: DemoMode;
}

/** Builds the evidence of one validation run from the recording packs. */
export function collectEvidence(
  root: IConstruct, packs: readonly IRecordingPack[], ctx: RuleContext, options: EvidenceOptions | string = {},
): EvidenceBundle {
  const opts: EvidenceOptions = typeof options === 'string' ? { platform: options } : options;
  const rootOut = Stage.isStage(root) ? root.outdir : undefined;
  const stacks = root.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((s) => {
    const stage = Stage.of(s);
    const template = rootOut && stage ? path.relative(rootOut, path.join(stage.outdir, s.templateFile)).split(path.sep).join('/') : s.templateFile;
    return { path: s.node.path, template };
  });
  const results = packs.flatMap((p) => p.recorder.results);
  const repoRoot = repositoryRoot();
  const reported = new Set(results.filter((r) => r.status !== 'pass').map((r) => r.constructPath));
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    tool: { name: 'secure-api-platform', version: packageVersion() ?? '0.0.0' },
    platform: opts.platform,
    profiles: [...ctx.profiles],
    minimums: ctx.minimums,
    publicRoutes: [...ctx.publicRoutes],
    packs: packs.map((p) => ({
      name: p.readPackName, version: packVersion(p.readPackName), rules: [...p.recorder.rules.values()].map((r) => ({ ...r })),
    })),
    results,
    acknowledgments: acknowledgmentRecords(root, repoRoot),
    stacks,
    sources: sourcesOf(root, reported, repoRoot),
    provenance: provenanceOf(rootOut, stacks.map((s) => s.template)),
    demo: opts.demo,
  };
}

/** The version of the tool behind a pack: cdk-nag's for its packs, this library's for the platform pack. */
export function packVersion(pack: string): string | undefined {
  if (pack === 'SecureApi') return packageVersion();
  return ['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5'].includes(pack) ? packageVersion('cdk-nag') : undefined;
}

/** Unacknowledged findings: failed or errored results. */
export function findingsOf(bundle: Pick<EvidenceBundle, 'results'>): RuleResult[] {
  return bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
}
