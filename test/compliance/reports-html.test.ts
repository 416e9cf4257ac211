// The assessor's HTML page: a summary grid whose numbers are the evidence's, a table of contents, all-n/a rows
// collapsed, acknowledgments with who made them and whether they were used, provenance, a strict CSP and no script.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assemblyDir, platformApp, readReport } from './reports-helpers';
import { Compliance, EvidenceBundle, REPORT_FILES } from '../../lib/compliance';

describe('compliance-report.html', () => {
  const outdir = assemblyDir('html-');
  let html = '';
  let evidence: EvidenceBundle;
  beforeAll(() => {
    const { app } = platformApp({ acknowledgeHealth: true, outdir });
    Compliance.enforce(app, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'], printVerdict: false });
    expect(() => app.synth()).toThrow();
    html = readFileSync(join(outdir, 'compliance', REPORT_FILES.html), 'utf8');
    evidence = readReport<EvidenceBundle>(outdir, REPORT_FILES.evidence);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('the summary grid (framework × stack) shows the evidence JSON\'s numbers', () => {
    const keys: Array<'pci' | 'hipaa' | 'nist'> = ['pci', 'hipaa', 'nist'];
    const rules = evidence.packs.flatMap((p) => p.rules);
    let cells = 0;
    for (const key of keys) {
      const ids = new Set(rules.filter((r) => (r.controls[key] ?? []).length > 0).map((r) => r.id));
      for (const stack of evidence.stacks) {
        const rs = evidence.results.filter((r) => r.stack === stack.path && ids.has(r.rule));
        const m = new RegExp(`data-framework="${key}" data-stack="${stack.path}" data-pass="(\\d+)" data-fail="(\\d+)" data-acknowledged="(\\d+)" data-na="(\\d+)"`).exec(html);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBe(rs.filter((r) => r.status === 'pass').length);
        expect(Number(m![2])).toBe(rs.filter((r) => r.status === 'fail' || r.status === 'error').length);
        expect(Number(m![3])).toBe(rs.filter((r) => r.status === 'acknowledged').length);
        expect(Number(m![4])).toBe(ids.size - new Set(rs.map((r) => r.rule)).size);
        cells++;
      }
    }
    expect(cells).toBe(3);
    // The grid comes first, before the long tables.
    expect(html.indexOf('id="summary-grid"')).toBeLessThan(html.indexOf('id="findings"'));
  });

  test('table of contents, all-n/a rows in <details>, acknowledgment origin and use, provenance; strict CSP, no script', () => {
    expect(html).toMatch(/<nav><strong>Contents:<\/strong> <a href="#summary">/);
    expect(html).toMatch(/<details><summary>\d+ requirement\(s\) with no applicable resource \(all n\/a\)<\/summary>/);
    expect(html).toMatch(/<td>app<br><code>test\/compliance\/reports-helpers\.ts:\d+<\/code><\/td><td>yes<\/td>/);
    for (const t of evidence.provenance!.templates) expect(html).toContain(t.sha256);
    expect(evidence.provenance!.templates.map((t) => t.path)).toEqual(['Api.template.json']);
    expect(html).toContain('default-src \'none\'');
    expect(html).not.toMatch(/<script/i);
  });
});
