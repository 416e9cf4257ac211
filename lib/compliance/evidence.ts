import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Acknowledgment, acknowledgmentsOf } from './acknowledge';
import { IRecordingPack, RuleInfo, RuleResult } from './recording';
import { PublicRouteRef, RuleContext } from './rule';
import { ProfileMinimums } from '../spec/profiles';
import { ComplianceProfile } from '../spec/types';

/** Version of the evidence file format (`compliance/evidence.json`). */
export const EVIDENCE_SCHEMA_VERSION = 1;

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
  readonly packs: readonly { readonly name: string; readonly rules: readonly RuleInfo[] }[];
  /** Every applicable rule result (pass, fail, acknowledged, error). */
  readonly results: readonly RuleResult[];
  /** Every acknowledgment in the app, with its reason. */
  readonly acknowledgments: readonly Acknowledgment[];
  readonly stacks: readonly { readonly path: string; readonly template?: string }[];
}

function toolVersion(): string {
  // Source (lib/compliance) and build (dist/lib/compliance) sit at different depths below package.json.
  for (const dir of [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]) {
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name next to this module
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'secure-api-platform' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

/** Builds the evidence of one validation run from the recording packs. */
export function collectEvidence(root: IConstruct, packs: readonly IRecordingPack[], ctx: RuleContext, platform?: string): EvidenceBundle {
  const rootOut = Stage.isStage(root) ? root.outdir : undefined;
  const stacks = root.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((s) => {
    const stage = Stage.of(s);
    const template = rootOut && stage ? path.relative(rootOut, path.join(stage.outdir, s.templateFile)).split(path.sep).join('/') : s.templateFile;
    return { path: s.node.path, template };
  });
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    tool: { name: 'secure-api-platform', version: toolVersion() },
    platform,
    profiles: [...ctx.profiles],
    minimums: ctx.minimums,
    publicRoutes: [...ctx.publicRoutes],
    packs: packs.map((p) => ({ name: p.readPackName, rules: [...p.recorder.rules.values()].map((r) => ({ ...r })) })),
    results: packs.flatMap((p) => p.recorder.results),
    acknowledgments: acknowledgmentsOf(root),
    stacks,
  };
}

/** Unacknowledged findings: failed or errored results. */
export function findingsOf(bundle: Pick<EvidenceBundle, 'results'>): RuleResult[] {
  return bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
}
