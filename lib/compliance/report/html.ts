import { EvidenceBundle } from '../evidence';
import { Cell, cellIndex, cellText, frameworkSections, summaryGrid, totals, unusedAcknowledgments } from './model';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.FAIL{background:#ffebe9;color:#82071e;font-weight:600}.ACKNOWLEDGED{background:#fff8c5}.PASS{background:#dafbe1}.NA{color:#6e7781}
code{font-size:12px}.summary li{margin:.15rem 0}.banner{background:#ffebe9;border:2px solid #cf222e;padding:.5rem 1rem;font-weight:600}
.grid td{text-align:right}.unused{background:#fff1e5}details>summary{cursor:pointer;color:#57606a}
@media print{body{margin:0;font-size:10px}details{display:none}table{page-break-inside:auto}tr{page-break-inside:avoid}@page{size:A4;margin:12mm}}`;

const td = (c: Cell): string => `<td class="${c.status === 'N/A' ? 'NA' : c.status}">${esc(cellText(c))}</td>`;

/** The human report as one static HTML page (no scripts, no external resources). */
export function toHtml(bundle: EvidenceBundle): string {
  const t = totals(bundle);
  const stacks = bundle.stacks.map((s) => s.path);
  const cellOf = cellIndex(bundle.results);
  const h: string[] = [];
  h.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
    `<title>Compliance evidence${bundle.platform ? ` – ${esc(bundle.platform)}` : ''}</title><style>${CSS}</style></head><body>`);
  h.push(`<h1>Compliance evidence${bundle.platform ? `: ${esc(bundle.platform)}` : ''}</h1>`);
  if (bundle.demo) h.push(`<p class="banner" id="demo">DEMO MODE: ${esc(bundle.demo.reason)}</p>`);
  const sections = frameworkSections(bundle);
  h.push('<nav><strong>Contents:</strong> <a href="#summary">Summary</a> · <a href="#findings">Unacknowledged findings</a> · <a href="#acks">Acknowledgments</a> · <a href="#routes">Public routes</a> · ',
    sections.map((sec) => `<a href="#fw-${sec.key}">${esc(sec.title.replace(/ \(.*$/, ''))}</a>`).join(' · '), ' · <a href="#provenance">Provenance</a></nav>');
  const grid = summaryGrid(bundle);
  h.push('<h2 id="summary">Summary: framework × stack</h2>',
    `<table class="grid" id="summary-grid"><tr><th>Framework</th>${grid.stacks.map((st) => `<th><code>${esc(st)}</code></th>`).join('')}</tr>`,
    ...grid.frameworks.map((f) => `<tr><th>${esc(f.title)}</th>${grid.stacks.map((st) => {
      const c = grid.cells[f.key][st];
      return `<td data-framework="${esc(f.key)}" data-stack="${esc(st)}" data-pass="${c.pass}" data-fail="${c.fail}" data-acknowledged="${c.acknowledged}" data-na="${c.notApplicable}" class="${c.fail > 0 ? 'FAIL' : c.acknowledged > 0 ? 'ACKNOWLEDGED' : c.pass > 0 ? 'PASS' : 'NA'}">`
        + `${c.fail} failed · ${c.acknowledged} acknowledged · ${c.pass} passed · ${c.notApplicable} n/a</td>`;
    }).join('')}</tr>`), '</table>');
  h.push(`<p>Generated ${esc(bundle.generatedAt)} by ${esc(bundle.tool.name)} ${esc(bundle.tool.version)} at synth. Evidence for an assessor, not proof of compliance.</p>`);
  h.push('<ul class="summary">',
    `<li>Profiles: ${esc(bundle.profiles.join(', '))}</li>`,
    `<li>Minimums: audit archive ${bundle.minimums.auditRetentionYears} years, log retention ${bundle.minimums.logRetentionDays} days, TLS ${esc(bundle.minimums.minTlsVersion)}+ (${esc(bundle.minimums.basis)})</li>`,
    `<li>Packs: ${esc(bundle.packs.map((p) => `${p.name} (${p.rules.length} rules)`).join(', '))}</li>`,
    `<li>Results: <strong>${t.fail} unacknowledged findings</strong>, ${t.acknowledged} acknowledged, ${t.pass} passed, ${t.notApplicable} not applicable</li>`,
    '</ul>');

  const findings = bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
  h.push('<h2 id="findings">Unacknowledged findings</h2>');
  h.push(findings.length === 0 ? '<p>None.</p>' : `<table><tr><th>Rule</th><th>Resource</th><th>Type</th><th>Stack</th></tr>${findings.map((f) =>
    `<tr><td>${esc(f.ruleId)}</td><td><code>${esc(f.constructPath)}</code></td><td>${esc(f.resourceType)}</td><td><code>${esc(f.stack)}</code></td></tr>`).join('')}</table>`);

  const unused = new Map(unusedAcknowledgments(bundle).map((u) => [`${u.ack.constructPath}\u0000${u.ack.ruleId}`, u.why]));
  h.push('<h2 id="acks">Acknowledgments</h2>');
  h.push(bundle.acknowledgments.length === 0 ? '<p>None.</p>' : `<table><tr><th>Rule</th><th>Where</th><th>Reason</th><th>Condition</th><th>Made by</th><th>Used</th></tr>${bundle.acknowledgments.map((a) => {
    const why = unused.get(`${a.constructPath}\u0000${a.ruleId}`);
    const condition = (a as { condition?: unknown }).condition;
    return `<tr${why ? ' class="unused"' : ''}><td>${esc(a.ruleId)}</td><td><code>${esc(a.constructPath)}</code></td><td>${a.reason.trim() ? esc(a.reason) : '<strong>MISSING REASON</strong>'}</td>`
      + `<td>${condition === undefined ? '' : esc(typeof condition === 'string' ? condition : JSON.stringify(condition))}</td>`
      + `<td>${esc(a.origin ?? 'unknown')}${a.source ? `<br><code>${esc(`${a.source.file}:${a.source.line}`)}</code>` : ''}</td>`
      + `<td>${why === undefined ? 'yes' : `<strong>UNUSED</strong>: ${why === 'unknown-rule' ? 'not a rule of a pack that ran' : 'matched no finding'}`}</td></tr>`;
  }).join('')}</table>`);

  h.push('<h2 id="routes">Public routes (served without authorization)</h2>');
  h.push(bundle.publicRoutes.length === 0 ? '<p>None declared.</p>' : `<table><tr><th>Route</th><th>API</th><th>Reason</th></tr>${bundle.publicRoutes.map((r) =>
    `<tr><td><code>${esc(`${r.method} ${r.path}`)}</code></td><td>${esc(r.api ? `${r.api} ${r.version ?? ''}` : 'any')}</td><td>${esc(r.reason ?? '')}</td></tr>`).join('')}</table>`);

  for (const section of sections) {
    h.push(`<h2 id="fw-${section.key}">${esc(section.title)}</h2>`);
    const header = `<tr><th>Requirement</th><th>Rule</th>${stacks.map((st) => `<th><code>${esc(st)}</code></th>`).join('')}</tr>`;
    const rows = (reqs: typeof section.requirements): string => reqs.map((req) => req.rules.map((rule, i) => {
      const head = i === 0 ? `<td rowspan="${req.rules.length}"><strong>${esc(req.id)}</strong>${req.title ? `<br>${esc(req.title)}` : ''}</td>` : '';
      return `<tr>${head}<td title="${esc(rule.info)}">${esc(rule.id)}</td>${stacks.map((st) => td(cellOf(rule.id, st))).join('')}</tr>`;
    }).join('')).join('');
    // Requirements whose every cell is n/a collapse: they say only that nothing they check exists.
    const allNa = (req: (typeof section.requirements)[number]): boolean => req.rules.every((rule) => stacks.every((st) => cellOf(rule.id, st).status === 'N/A'));
    const active = section.requirements.filter((req) => !allNa(req));
    const idle = section.requirements.filter(allNa);
    h.push(active.length > 0 ? `<table>${header}${rows(active)}</table>` : '<p>No rule of this framework applied to a resource.</p>');
    if (idle.length > 0) h.push(`<details><summary>${idle.length} requirement(s) with no applicable resource (all n/a)</summary><table>${header}${rows(idle)}</table></details>`);
  }
  const p = bundle.provenance;
  h.push('<h2 id="provenance">Provenance</h2>', '<ul class="summary">',
    `<li>Commit: <code>${esc(p?.commit ?? 'unknown')}</code>${p?.dirty ? ' (with uncommitted changes)' : ''}</li>`,
    `<li>Versions: ${esc(Object.entries(p?.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'unknown')}</li>`,
    '</ul>', (p?.templates.length ?? 0) === 0 ? '<p>No template hashes recorded.</p>'
      : `<table><tr><th>Template</th><th>SHA-256</th></tr>${p!.templates.map((tpl) => `<tr><td><code>${esc(tpl.path)}</code></td><td><code>${esc(tpl.sha256)}</code></td></tr>`).join('')}</table>`);
  h.push('</body></html>', '');
  return h.join('\n');
}
