import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACK_CONDITION_METADATA_KEY } from '../acknowledge';
import { AcknowledgmentRecord, EVIDENCE_SCHEMA_VERSION, EvidenceBundle, provenanceOf, sortKeys, withTrace } from '../evidence';
import { toHtml } from './html';
import { toJUnit } from './junit';
import { toMarkdown } from './markdown';
import { normalized } from './model';
import { toSarif } from './sarif';
import { ACKNOWLEDGED_RULES_METADATA, CREATION_STACK_METADATA, firstRepositoryFrame, repositoryRoot, SourceLocation } from './sources';

/** Folder of the cloud assembly that holds the evidence and the reports. */
export const REPORT_DIR = 'compliance';
/** The files written into `<cdk.out>/compliance/`. */
export const REPORT_FILES = {
  evidence: 'evidence.json',
  /** Unacknowledged findings only: the file to upload to code scanning. */
  sarif: 'compliance.sarif',
  /** Every finding, acknowledged ones as accepted suppressions: the full record. */
  sarifFull: 'compliance-full.sarif',
  junit: 'compliance-junit.xml',
  markdown: 'compliance-report.md',
  html: 'compliance-report.html',
} as const;

export type ReportPaths = { readonly [K in keyof typeof REPORT_FILES]: string };

/* eslint-disable security/detect-non-literal-fs-filename -- every path is under the cloud assembly directory the caller names */

/** A function giving the 1-based line of a resource's logical id in a template under `cdkOut` (1 when not found). */
function templateLines(cdkOut: string): (template: string | undefined, logicalId: string) => number {
  // Per template, the first line of each `"<id>": {` key: one pass per template, not one per result.
  const cache = new Map<string, Map<string, number>>();
  return (template, logicalId) => {
    if (!template) return 1;
    let lineOf = cache.get(template);
    if (!lineOf) {
      const found = new Map<string, number>();
      let lines: string[] = [];
      try {
        lines = fs.readFileSync(path.join(cdkOut, template), 'utf8').split('\n');
      } catch {
        // no template: every result points at line 1
      }
      lines.forEach((l, i) => {
        const m = /^\s*"((?:[^"\\]|\\.)*)": \{/.exec(l);
        if (m && !found.has(m[1])) found.set(m[1], i + 1);
      });
      cache.set(template, lineOf = found);
    }
    return lineOf.get(logicalId) ?? 1;
  };
}

/** Writes evidence.json and the reports into `<cdkOut>/compliance/`, every list in a stable order. */
export function writeReports(cdkOut: string, evidence: EvidenceBundle): ReportPaths {
  const bundle = normalized(evidence);
  const dir = path.join(cdkOut, REPORT_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string): string => path.join(dir, f);
  const lineOf = templateLines(cdkOut);
  fs.writeFileSync(p(REPORT_FILES.evidence), JSON.stringify(bundle, undefined, 2));
  fs.writeFileSync(p(REPORT_FILES.sarif), JSON.stringify(toSarif(bundle, { lineOf }), undefined, 2));
  fs.writeFileSync(p(REPORT_FILES.sarifFull), JSON.stringify(toSarif(bundle, { lineOf, includeAcknowledged: true }), undefined, 2));
  fs.writeFileSync(p(REPORT_FILES.junit), toJUnit(bundle));
  fs.writeFileSync(p(REPORT_FILES.markdown), toMarkdown(bundle));
  fs.writeFileSync(p(REPORT_FILES.html), toHtml(bundle));
  const paths = Object.fromEntries(Object.entries(REPORT_FILES).map(([k, f]) => [k, p(f)]));
  return paths as ReportPaths;
}

/** Removes the reports of an earlier synth (before the validation plugins run, so they only create files). */
export function removeReports(cdkOut: string): void {
  for (const f of Object.values(REPORT_FILES)) fs.rmSync(path.join(cdkOut, REPORT_DIR, f), { force: true });
}

interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
  readonly trace?: readonly string[];
}

/**
 * Every acknowledgment recorded in a cloud assembly (`aws:cdk:acknowledged-rules` metadata), with who made it and
 * where, from the trace CDK recorded with it.
 */
export function acknowledgmentsFromAssembly(cdkOut: string): AcknowledgmentRecord[] {
  const out: AcknowledgmentRecord[] = [];
  const seen = new Set<string>();
  const root = repositoryRoot();
  const conditions = new Map<string, string>();
  visitAssemblyMetadata(cdkOut, (constructPath, e) => {
    if (e.type !== ACK_CONDITION_METADATA_KEY || typeof e.data !== 'object' || e.data === null) return;
    for (const [id, condition] of Object.entries(e.data as Record<string, unknown>)) {
      if (typeof condition === 'string') conditions.set(`${constructPath}\u0000${id}`, condition);
    }
  });
  visitAssemblyMetadata(cdkOut, (constructPath, e) => {
    if (e.type !== ACKNOWLEDGED_RULES_METADATA || typeof e.data !== 'object' || e.data === null) return;
    for (const [id, reason] of Object.entries(e.data as Record<string, unknown>)) {
      const ruleId = id.replace(/^annotation::/i, '');
      const key = `${constructPath}\u0000${ruleId}`;
      const condition = conditions.get(key);
      const ack = { ruleId, reason: typeof reason === 'string' ? reason : '', constructPath, ...(condition === undefined ? {} : { condition }) };
      if (!seen.has(key)) {
        seen.add(key);
        out.push(withTrace(ack, e.trace, root));
      }
    }
  });
  return out;
}

/**
 * The source line that created each construct in `paths`, from the creation stacks recorded in the assembly; a
 * construct without one (creation stacks are off in the nested stacks of an API's routes) takes the nearest recorded
 * above it.
 */
export function sourcesFromAssembly(cdkOut: string, paths: ReadonlySet<string>): Record<string, SourceLocation> {
  const root = repositoryRoot();
  const traces = new Map<string, string[]>();
  visitAssemblyMetadata(cdkOut, (constructPath, e) => {
    if (e.type === CREATION_STACK_METADATA && Array.isArray(e.data)) traces.set(constructPath, e.data as string[]);
  });
  const out: Record<string, SourceLocation> = {};
  for (const constructPath of paths) {
    let trace: string[] | undefined;
    for (let p = constructPath; trace === undefined && p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') trace = traces.get(p);
    const at = firstRepositoryFrame(trace, root);
    if (at) out[constructPath] = at;
  }
  return sortKeys(out);
}

/**
 * Visits every metadata entry of a cloud assembly: CDK writes construct metadata into `manifest.json` or the stacks'
 * `*.metadata.json`, nested assemblies included. Construct paths are given without the leading slash.
 */
function visitAssemblyMetadata(cdkOut: string, visit: (constructPath: string, entry: MetadataEntry) => void): void {
  const visitMetadata = (byPath: Record<string, MetadataEntry[]>): void => {
    for (const [constructPath, entries] of Object.entries(byPath)) {
      for (const e of entries) visit(constructPath.replace(/^\//, ''), e);
    }
  };
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name.startsWith('assembly-')) {walk(full, depth + 1);} else if (entry.isFile() && (entry.name === 'manifest.json' || entry.name.endsWith('.metadata.json'))) {
        const json = JSON.parse(fs.readFileSync(full, 'utf8')) as { artifacts?: Record<string, { metadata?: Record<string, MetadataEntry[]> }> } & Record<string, unknown>;
        if (entry.name === 'manifest.json') for (const a of Object.values(json.artifacts ?? {})) visitMetadata(a.metadata ?? {});
        else visitMetadata(json as unknown as Record<string, MetadataEntry[]>);
      }
    }
  };
  walk(cdkOut, 0);
}

/**
 * Re-renders the reports from a cloud assembly (`cdk.out`): reads `compliance/evidence.json` written at synth,
 * refreshes the acknowledgments from the assembly's metadata, and rewrites SARIF, JUnit, Markdown and HTML.
 */
export function renderReports(cdkOutDir: string): ReportPaths {
  const file = path.join(cdkOutDir, REPORT_DIR, REPORT_FILES.evidence);
  if (!fs.existsSync(file)) {
    throw new Error(`renderReports(): no evidence at ${file}; run \`cdk synth\` on an app with Compliance.enforce(...) first (received cdkOutDir: ${cdkOutDir})`);
  }
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as EvidenceBundle;
  if (bundle.schemaVersion !== EVIDENCE_SCHEMA_VERSION) {
    throw new Error(`renderReports(): evidence format ${String(bundle.schemaVersion)} is not supported (expected ${EVIDENCE_SCHEMA_VERSION}); synthesize again with this version`);
  }
  const fromAssembly = acknowledgmentsFromAssembly(cdkOutDir);
  const acknowledgments = fromAssembly.length > 0 ? fromAssembly : bundle.acknowledgments;
  const reported = new Set(bundle.results.filter((r) => r.status !== 'pass').map((r) => r.constructPath));
  const sources = { ...sourcesFromAssembly(cdkOutDir, reported), ...bundle.sources };
  const provenance = bundle.provenance ?? provenanceOf(cdkOutDir, bundle.stacks.map((s) => s.template));
  return writeReports(cdkOutDir, { ...bundle, acknowledgments, sources: sortKeys(sources), provenance });
}
/* eslint-enable security/detect-non-literal-fs-filename */
