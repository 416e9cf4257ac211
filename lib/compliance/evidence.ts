import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Acknowledgment } from './acknowledge';
import { RuleInfo, RuleResult } from './recording';
import { ackOrigin, AckOrigin, firstRepositoryFrame, gitCommit, packageVersion, repositoryRoot, SourceLocation, toolVersions } from './report/sources';
import { PublicRouteRef } from './rule';
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
  /** Seconds within which a revoked token is refused everywhere (the spec's bound, also printed at synth). @default - no spec */
  readonly revocationBoundSeconds?: number;
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

/**
 * What each trace tells (origin and source line), by repository root and trace text. Traces repeat: the 1,000 methods
 * of the portfolio acknowledge COG4 from one line, and its 2,208 acknowledgments have 19 distinct traces.
 */
const traceReadings = new Map<string, { readonly origin?: AckOrigin; readonly source?: SourceLocation }>();

/** An acknowledgment with the origin and source line its trace tells. */
export function withTrace(a: Acknowledgment, trace: readonly string[] | undefined, repoRoot: string): AcknowledgmentRecord {
  const key = `${repoRoot}\u0000${trace === undefined ? '' : trace.join('\n')}`;
  let reading = traceReadings.get(key);
  if (reading === undefined) {
    const origin = ackOrigin(trace);
    const source = firstAckFrame(trace, repoRoot);
    traceReadings.set(key, reading = { ...(origin ? { origin } : {}), ...(source ? { source } : {}) });
  }
  return { ...a, ...reading };
}

/** The line that called acknowledge() (or Validations.acknowledge): the first repository frame past the helper itself. */
function firstAckFrame(trace: readonly string[] | undefined, repoRoot: string): SourceLocation | undefined {
  return firstRepositoryFrame((trace ?? []).filter((f) => !/[/\\]lib[/\\]compliance[/\\]aws[/\\]acknowledge\.[jt]s:/.test(f)), repoRoot);
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
