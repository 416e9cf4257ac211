import * as fs from 'node:fs';
import * as path from 'node:path';
import { Acknowledgment } from '../acknowledge';
import { EVIDENCE_SCHEMA_VERSION, EvidenceBundle } from '../evidence';
import { toHtml } from './html';
import { toJUnit } from './junit';
import { toMarkdown } from './markdown';
import { toSarif } from './sarif';

/** Folder of the cloud assembly that holds the evidence and the reports. */
export const REPORT_DIR = 'compliance';
/** The files written into `<cdk.out>/compliance/`. */
export const REPORT_FILES = {
  evidence: 'evidence.json',
  sarif: 'compliance.sarif',
  junit: 'compliance-junit.xml',
  markdown: 'compliance-report.md',
  html: 'compliance-report.html',
} as const;

export type ReportPaths = { readonly [K in keyof typeof REPORT_FILES]: string };

/* eslint-disable security/detect-non-literal-fs-filename -- every path is under the cloud assembly directory the caller names */

/** A function giving the 1-based line of a resource's logical id in a template under `cdkOut` (1 when not found). */
function templateLines(cdkOut: string): (template: string | undefined, logicalId: string) => number {
  const cache = new Map<string, string[]>();
  return (template, logicalId) => {
    if (!template) return 1;
    let lines = cache.get(template);
    if (!lines) {
      try {
        lines = fs.readFileSync(path.join(cdkOut, template), 'utf8').split('\n');
      } catch {
        lines = [];
      }
      cache.set(template, lines);
    }
    const needle = `"${logicalId}": {`;
    const i = lines.findIndex((l) => l.trimStart().startsWith(needle));
    return i >= 0 ? i + 1 : 1;
  };
}

/** Writes evidence.json and the four reports into `<cdkOut>/compliance/`. */
export function writeReports(cdkOut: string, bundle: EvidenceBundle): ReportPaths {
  const dir = path.join(cdkOut, REPORT_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string): string => path.join(dir, f);
  fs.writeFileSync(p(REPORT_FILES.evidence), JSON.stringify(bundle, undefined, 2));
  fs.writeFileSync(p(REPORT_FILES.sarif), JSON.stringify(toSarif(bundle, templateLines(cdkOut)), undefined, 2));
  fs.writeFileSync(p(REPORT_FILES.junit), toJUnit(bundle));
  fs.writeFileSync(p(REPORT_FILES.markdown), toMarkdown(bundle));
  fs.writeFileSync(p(REPORT_FILES.html), toHtml(bundle));
  return {
    evidence: p(REPORT_FILES.evidence),
    sarif: p(REPORT_FILES.sarif),
    junit: p(REPORT_FILES.junit),
    markdown: p(REPORT_FILES.markdown),
    html: p(REPORT_FILES.html),
  };
}

/** Removes the reports of an earlier synth (before the validation plugins run, so they only create files). */
export function removeReports(cdkOut: string): void {
  for (const f of Object.values(REPORT_FILES)) fs.rmSync(path.join(cdkOut, REPORT_DIR, f), { force: true });
}

interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

/**
 * Every acknowledgment recorded in a cloud assembly: CDK writes `Validations.of(x).acknowledge(...)` as
 * `aws:cdk:acknowledged-rules` metadata into `manifest.json` or the stacks' `*.metadata.json`, nested assemblies included.
 */
export function acknowledgmentsFromAssembly(cdkOut: string): Acknowledgment[] {
  const out: Acknowledgment[] = [];
  const seen = new Set<string>();
  const visitMetadata = (byPath: Record<string, MetadataEntry[]>): void => {
    for (const [constructPath, entries] of Object.entries(byPath)) {
      for (const e of entries) {
        if (e.type !== 'aws:cdk:acknowledged-rules' || typeof e.data !== 'object' || e.data === null) continue;
        for (const [id, reason] of Object.entries(e.data as Record<string, unknown>)) {
          const ack = { ruleId: id.replace(/^annotation::/i, ''), reason: typeof reason === 'string' ? reason : '', constructPath: constructPath.replace(/^\//, '') };
          const key = `${ack.constructPath}\u0000${ack.ruleId}`;
          if (!seen.has(key)) {
            seen.add(key);
            out.push(ack);
          }
        }
      }
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
  return out;
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
  return writeReports(cdkOutDir, { ...bundle, acknowledgments });
}
/* eslint-enable security/detect-non-literal-fs-filename */
