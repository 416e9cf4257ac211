// The assessor's HTML page: a summary grid whose numbers are the evidence's, a table of contents, control titles,
// all-n/a rows collapsed, acknowledged cells with reason, condition and maker, unused acknowledgments flagged,
// provenance, a demo banner for a lean synth, one hashed script (search and filter) under a strict CSP, and a stable
// order. The script is run in headless Chromium (Debian's package) when it is installed.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of this test */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aws_lambda as lambda, aws_sqs as sqs } from 'aws-cdk-lib';
import { assemblyDir, CONDITION, platformApp, readReport, REASON } from './reports-helpers';
import { acknowledge, Compliance, EvidenceBundle, REPORT_FILES, toHtml, toMarkdown, writeReports } from '../../lib/compliance';
import { frameworkSections } from '../../lib/compliance/report/model';
import { fixtureSpec } from '../fixtures/platform-spec';

const UNKNOWN_RULE_REASON = 'The backend has no dead-letter queue because every call is synchronous and the caller retries.';
const NO_FINDING_REASON = 'The queue is encrypted with the SQS-managed key; no customer key exists to rotate here.';

describe('compliance-report.html', () => {
  const outdir = assemblyDir('html-');
  let html = '';
  let md = '';
  let evidence: EvidenceBundle;
  beforeAll(() => {
    const { app, stack } = platformApp({ acknowledgeHealth: true, outdir });
    // Two acknowledgments that acknowledge nothing: a rule id of no pack that ran, and a rule with no finding there.
    acknowledge(stack.node.findChild('Backend') as lambda.Function, 'PCI.DSS.321-LambdaDLQ', UNKNOWN_RULE_REASON);
    acknowledge(stack.node.findChild('Queue') as sqs.Queue, 'SecureApi-KmsKeyRotation', NO_FINDING_REASON);
    Compliance.enforce(app, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'], printVerdict: false });
    expect(() => app.synth()).toThrow();
    html = readFileSync(join(outdir, 'compliance', REPORT_FILES.html), 'utf8');
    md = readFileSync(join(outdir, 'compliance', REPORT_FILES.markdown), 'utf8');
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

  test('every control id in the evidence has a title, and the HIPAA heading names every part its ids come from', () => {
    const sections = frameworkSections(evidence);
    expect(sections.map((s) => s.key)).toEqual(['pci', 'pci321', 'hipaa', 'nist', 'awsSolutions']);
    const untitled = sections.flatMap((s) => s.requirements.filter((r) => !r.title).map((r) => `${s.key} ${r.id}`));
    expect(untitled).toEqual([]);
    // Every id the packs map to is listed (cdk-nag's packs declare all their rules): 45 PCI DSS 3.2.1 ids, etc.
    const ids = (key: 'pci321' | 'hipaa' | 'nist'): Set<string> => new Set(evidence.packs.flatMap((p) => p.rules.flatMap((r) => r.controls[key] ?? [])));
    expect(ids('pci321').size).toBeGreaterThanOrEqual(45);
    expect(ids('nist').size).toBeGreaterThanOrEqual(200);
    const hipaa = sections.find((s) => s.key === 'hipaa')!;
    const parts = new Set(hipaa.requirements.map((r) => r.id.replace(/\(.*$/, '')));
    expect([...parts].sort()).toEqual(['164.308', '164.312']);
    for (const part of parts) expect(hipaa.title).toContain(part);
    // cdk-nag's unbalanced "164.312(e)(1" joins 164.312(e)(1).
    expect(hipaa.requirements.map((r) => r.id)).not.toContain('164.312(e)(1');
    expect(html).toMatch(/scope="rowgroup">AU-3a<br><span class="title">Content of Audit Records, item a<\/span><\/th>/);
    expect(html).toMatch(/>10\.7<br><span class="title">Audit trail history is kept at least a year/);
    expect(md).toMatch(/\| 164\.308\(a\)\(7\)\(ii\)\(A\) Data backup plan \| /);
  });

  test('an acknowledged cell shows its reason, its condition and who made it, linked to its row', () => {
    const n = evidence.acknowledgments.findIndex((a) => a.ruleId === 'SecureApi-ApiMethodAuthorizer') + 1;
    expect(n).toBeGreaterThan(0);
    // GET /orders fails the rule, GET /health is acknowledged: the cell says both, and who acknowledged and why.
    expect(html).toContain(`<td class="FAIL">FAIL (1), acknowledged 1<ul class="acks"><li><a href="#ack-${n}">#${n}</a> <span class="by">the app</span><span class="why">: ${REASON} <span class="cond">(only where ${CONDITION})</span></span></li></ul></td>`);
    expect(html).toMatch(new RegExp(`<tr data-f id="ack-${n}"><td>${n}</td><td>SecureApi-ApiMethodAuthorizer<br><code>Api/Rest/Default/health/GET</code></td><td>[^<]+</td><td>${CONDITION}</td><td>the app<br><code>test/compliance/reports-helpers\\.ts:\\d+</code></td><td>yes</td></tr>`));
    expect(md).toContain(`| SecureApi-ApiMethodAuthorizer | FAIL (1), acknowledged 1: #${n} |`);
    expect(md).toMatch(new RegExp(`\\| ${n} \\| SecureApi-ApiMethodAuthorizer \\| \`Api/Rest/Default/health/GET\` \\| [^|]+ \\| ${CONDITION} \\| the app \\(\`test/compliance/reports-helpers\\.ts:\\d+\`\\) \\| yes \\|`));
  });

  test('acknowledgments that acknowledge nothing are flagged, with why', () => {
    expect(html).toContain('<strong>2 acknowledgment(s) acknowledged nothing</strong>');
    expect(html).toMatch(/<tr data-f id="ack-\d+" class="unused"><td>\d+<\/td><td>PCI\.DSS\.321-LambdaDLQ<br>.*?<td><strong>UNUSED<\/strong>: not a rule of a pack that ran<\/td><\/tr>/);
    expect(html).toMatch(/<tr data-f id="ack-\d+" class="unused"><td>\d+<\/td><td>SecureApi-KmsKeyRotation<br>.*?<td><strong>UNUSED<\/strong>: matched no finding<\/td><\/tr>/);
    expect(html.match(/class="unused"><td>/g)).toHaveLength(2);
    expect(md).toMatch(/\| PCI\.DSS\.321-LambdaDLQ \| .* \| \*\*UNUSED\*\*: not a rule of a pack that ran \|/);
    expect(md).toMatch(/\| SecureApi-KmsKeyRotation \| .* \| \*\*UNUSED\*\*: matched no finding \|/);
    expect(html).toMatch(/<p id="verdict"><strong>compliance: FAIL: .*1 acknowledged \(2 acknowledgments unused\)/);
  });

  test('table of contents, all-n/a rows in <details>, provenance; no banner outside demo mode', () => {
    expect(html).toMatch(/<nav><strong>Contents:<\/strong> <a href="#summary">/);
    expect(html).toMatch(/<details class="idle"><summary>\d+ requirement\(s\) with no applicable resource \(all n\/a\)<\/summary>/);
    for (const t of evidence.provenance!.templates) {
      expect(html).toContain(t.sha256);
      expect(md).toContain(t.sha256);
    }
    expect(evidence.provenance!.templates.map((t) => t.path)).toEqual(['Api.template.json']);
    expect(html).not.toContain('DEMO MODE');
  });

  test('strict CSP: nothing loads; the one style and the one script run by their SHA-256, nothing inline besides', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const hash = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    expect(csp).toBe(`default-src 'none'; style-src ${hash(styles[0])}; script-src ${hash(scripts[0])}; base-uri 'none'; form-action 'none'`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/\son[a-z]+=|\sstyle=|javascript:|<link|<img|<iframe|src=/i);
  });

  test('without script the page shows every row and says how to search; nothing starts hidden', () => {
    expect(html).toContain('<div id="filters">Search and filter need JavaScript; without it every row is shown: use the browser\'s find.</div>');
    expect(html).not.toMatch(/\shidden[\s>=]/);
    // Every requirement and every finding and acknowledgment is in the page, as a filterable unit.
    const units = (html.match(/ data-f[ >]/g) ?? []).length;
    const requirements = frameworkSections(evidence).reduce((n, s) => n + s.requirements.length, 0);
    const findings = evidence.results.filter((r) => r.status === 'fail' || r.status === 'error').length;
    const rules = evidence.packs.reduce((n, p) => n + p.rules.length, 0);
    expect(units).toBe(requirements + findings + evidence.acknowledgments.length + evidence.publicRoutes.length + rules);
  });

  const chromium = '/usr/bin/chromium';
  (existsSync(chromium) ? test : test.skip)('in headless Chromium the hashed script runs and filters; a changed script is refused by the CSP', () => {
    const dump = (file: string, hash: string): string => execFileSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--virtual-time-budget=5000', '--dump-dom', `file://${file}#${hash}`,
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
    const page = join(outdir, 'compliance', REPORT_FILES.html);
    const dom = dump(page, 'q=ApiMethodAuthorizer&status=FAIL');
    expect(dom).toMatch(/<input type="search" id="q"/);
    const shown = /<output id="count">(\d+) of (\d+) rows shown<\/output>/.exec(dom);
    expect(shown).not.toBeNull();
    // Shown: the finding on GET /orders and the requirements whose ApiMethodAuthorizer cell failed; the
    // acknowledgment row and the rule's row in "Rules that ran" (no status cells) match the text too.
    const visible = [...dom.matchAll(/<(tr|tbody) data-f=""([^>]*)>([\s\S]*?)<\/\1>/g)].filter((m) => !/ hidden=""/.test(m[2])).map((m) => m[3]);
    expect(visible.length).toBe(Number(shown![1]));
    expect(visible.length).toBeGreaterThan(1);
    expect(Number(shown![1])).toBeLessThan(Number(shown![2]));
    for (const v of visible) expect(v).toContain('ApiMethodAuthorizer');
    expect(visible.filter((v) => v.includes('class="FAIL"')).length).toBe(visible.length - 2);

    const tampered = join(outdir, 'compliance', 'tampered.html');
    writeFileSync(tampered, html.replace("slot.textContent = '';", "slot.textContent = '' ;"));
    const refused = dump(tampered, 'q=ApiMethodAuthorizer');
    expect(refused).not.toContain('id="q"');
    expect(refused).toContain('Search and filter need JavaScript');
    expect(refused).not.toMatch(/ hidden=""/);
  });

  test('stable order: the same evidence rendered from shuffled lists gives identical files', () => {
    const shuffled: EvidenceBundle = {
      ...evidence,
      results: [...evidence.results].reverse(),
      acknowledgments: [...evidence.acknowledgments].reverse(),
      packs: [...evidence.packs].map((p) => ({ ...p, rules: [...p.rules].reverse() })),
      stacks: [...evidence.stacks].reverse(),
    };
    const again = assemblyDir('html-again-');
    try {
      writeReports(again, shuffled);
      // (SARIF names the template by its folder; its stability across synths is tested in reports-sarif.test.ts.)
      for (const f of [REPORT_FILES.html, REPORT_FILES.markdown, REPORT_FILES.evidence, REPORT_FILES.junit]) {
        expect(readFileSync(join(again, 'compliance', f), 'utf8')).toBe(readFileSync(join(outdir, 'compliance', f), 'utf8'));
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
    expect(toHtml(evidence)).toBe(html);
    expect(toMarkdown(evidence)).toBe(md);
  });
});

describe('a lean synth (audit.demo) is marked as a demo', () => {
  test('banner in HTML and Markdown, and the verdict line says DEMO MODE', () => {
    const outdir = assemblyDir('demo-');
    try {
      const { app } = platformApp({ acknowledgeHealth: true, outdir });
      Compliance.enforce(app, { profiles: ['PCI_DSS'], spec: fixtureSpec('aws', { lean: true }), printVerdict: false });
      expect(() => app.synth()).toThrow();
      const evidence = readReport<EvidenceBundle>(outdir, REPORT_FILES.evidence);
      expect(evidence.demo?.reason).toMatch(/^audit\.demo is set: the audit archive keeps records 1 day\(s\) under GOVERNANCE Object Lock/);
      const html = readFileSync(join(outdir, 'compliance', REPORT_FILES.html), 'utf8');
      const md = readFileSync(join(outdir, 'compliance', REPORT_FILES.markdown), 'utf8');
      // The banner comes right under the title, before the verdict and the grid.
      expect(html).toMatch(/<\/h1>\n<p class="banner" id="demo">DEMO MODE: audit\.demo is set: .*this evidence does not describe a production configuration<\/p>\n<p id="verdict"><strong>compliance: FAIL \(DEMO MODE: not a production configuration\)/);
      expect(md).toMatch(/^# Compliance evidence: orders\n\n> \*\*DEMO MODE:\*\* audit\.demo is set: /);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
