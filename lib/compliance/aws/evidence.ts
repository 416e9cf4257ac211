import * as path from 'node:path';
import { Stack, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgmentsOf } from './acknowledge';
import { IRecordingPack } from './recording';
import { RuleContext } from './rule';
import { AcknowledgmentRecord, EVIDENCE_SCHEMA_VERSION, EvidenceBundle, DemoMode, packVersion, provenanceOf, sortKeys, withTrace } from '../evidence';
import { CREATION_STACK_METADATA, firstRepositoryFrame, packageVersion, repositoryRoot, SourceLocation } from '../report/sources';

/** The evidence of a CDK app: collected from the construct tree and the recording packs after the templates are written. */

/**
 * Source lines of the resources named in `paths`, from their creation stacks (construct metadata). A resource built
 * where creation stacks are off (the nested stacks of an API's routes) takes the creation stack of the nearest
 * construct above it that has one.
 */
function sourcesOf(root: IConstruct, paths: ReadonlySet<string>, repoRoot: string): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  const visit = (c: IConstruct, inherited: string[] | undefined): void => {
    const trace = (c.node.metadata.find((m) => m.type === CREATION_STACK_METADATA)?.data as string[] | undefined) ?? inherited;
    if (paths.has(c.node.path)) {
      const at = firstRepositoryFrame(trace, repoRoot);
      if (at) out[c.node.path] = at;
    }
    for (const child of c.node.children) visit(child, trace);
  };
  visit(root, undefined);
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
    revocationBoundSeconds: ctx.revocationBoundSeconds,
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

