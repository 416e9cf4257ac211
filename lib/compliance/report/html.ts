import { createHash } from 'node:crypto';
import { EvidenceBundle } from '../evidence';
import { acknowledgmentIndex, AcknowledgmentRef, madeBy, Cell, cellIndex, cellText, frameworkSections, RequirementRow, summaryGrid, totals, unusedAcknowledgments } from './model';
import { verdictOf } from './verdict';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The page's only stylesheet (allowed by its hash in the page's CSP). */
export const REPORT_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;max-width:120rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.wrap{overflow-x:auto;max-width:100%}.wide{table-layout:fixed;width:100%}.wide td{overflow-wrap:anywhere}code{overflow-wrap:break-word}
th[scope=rowgroup]{min-width:9rem;max-width:16rem}td.rule{min-width:9rem;overflow-wrap:anywhere}.grid td,.grid th{font-size:12px;padding:.2rem .4rem}
.FAIL{background:#ffebe9;color:#82071e;font-weight:600}.ACKNOWLEDGED{background:#fff8c5}.PASS{background:#dafbe1}.NA{color:#6e7781}
code{font-size:12px}.summary li{margin:.15rem 0}.banner{background:#ffebe9;border:2px solid #cf222e;padding:.5rem 1rem;font-weight:600}
.grid td{text-align:right;white-space:nowrap}.unused{background:#fff1e5}details>summary{cursor:pointer;color:#57606a}
.acks{margin:.2rem 0 0;padding-left:1rem;font-weight:400;font-size:12px;min-width:12rem}.acks li{margin:.1rem 0}.by{font-variant:small-caps;font-weight:600}
.cond{font-style:italic}nav a{white-space:nowrap}#filters{margin:.5rem 0;padding:.4rem .6rem;background:#f6f8fa;border:1px solid #d0d7de}
#filters input{width:18rem;max-width:60%}#filters label{margin-right:1rem}
#ack-table th:nth-child(1){width:2.5rem}#ack-table th:nth-child(2){width:24%}#ack-table th:nth-child(3){width:30%}#ack-table th:nth-child(4){width:16%}#ack-table th:nth-child(5){width:16%}#ack-table th:nth-child(6){width:8%}
@media print{body{margin:0;font-size:9px;max-width:none}#filters,nav,details.idle,.acks .why,.acks .by{display:none}.acks{min-width:0;padding:0;margin:0;list-style:none;display:inline;font-size:8px}.acks li{display:inline}
td,th{font-size:8px;overflow-wrap:anywhere}th[scope=rowgroup],td.rule{min-width:0}.acks li::before{content:" "}.wrap{overflow:visible}
table{width:100%;table-layout:fixed;page-break-inside:auto}tr,li{page-break-inside:avoid}h2{page-break-after:avoid}
code{font-size:8px}td,th{padding:.1rem .25rem}@page{margin:10mm}}`;

/**
 * Search and filter (progressive: without script the page shows everything and says to use the browser's find).
 * Filterable units carry `data-f`: a requirement's rows (a `tbody`) or one row. A status filter keeps the units with a
 * cell of that status; units without status cells (acknowledgments, routes) follow the text search only. The filter
 * can be preset from the address: `#q=<text>&status=FAIL`.
 */
export const REPORT_SCRIPT = `(function () {
  var slot = document.getElementById('filters');
  if (!slot) return;
  slot.textContent = '';
  var q = document.createElement('input');
  q.type = 'search'; q.id = 'q'; q.placeholder = 'rule, control, resource, reason';
  var status = document.createElement('select');
  status.id = 'status';
  [['', 'every status'], ['FAIL', 'failed'], ['ACKNOWLEDGED', 'acknowledged'], ['PASS', 'passed']].forEach(function (o) {
    var opt = document.createElement('option'); opt.value = o[0]; opt.textContent = o[1]; status.appendChild(opt);
  });
  var count = document.createElement('output');
  count.id = 'count';
  var l1 = document.createElement('label'); l1.textContent = 'Search: '; l1.appendChild(q);
  var l2 = document.createElement('label'); l2.textContent = 'Show: '; l2.appendChild(status);
  slot.appendChild(l1); slot.appendChild(l2); slot.appendChild(count);
  var units = Array.prototype.slice.call(document.querySelectorAll('[data-f]'));
  function apply() {
    var text = q.value.trim().toLowerCase();
    var st = status.value;
    var shown = 0;
    units.forEach(function (u) {
      var statusCells = u.querySelectorAll('td.FAIL, td.ACKNOWLEDGED, td.PASS, td.NA');
      var ok = (!text || u.textContent.toLowerCase().indexOf(text) >= 0) && (!st || statusCells.length === 0 || u.querySelector('td.' + st) !== null);
      u.hidden = !ok;
      if (ok) shown++;
    });
    Array.prototype.forEach.call(document.querySelectorAll('details.idle'), function (d) {
      d.open = (text !== '' || st !== '') && d.querySelector('[data-f]:not([hidden])') !== null;
    });
    count.textContent = shown + ' of ' + units.length + ' rows shown';
  }
  var preset = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (preset.has('q')) q.value = preset.get('q');
  if (preset.has('status')) status.value = preset.get('status');
  q.addEventListener('input', apply);
  status.addEventListener('change', apply);
  apply();
})();`;

/** A CSP source for inline content: `'sha256-<base64>'` of its exact bytes. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page's Content-Security-Policy: nothing may load, and only this style and this script may run. */
export const REPORT_CSP = `default-src 'none'; style-src ${cspHash(REPORT_CSS)}; script-src ${cspHash(REPORT_SCRIPT)}; base-uri 'none'; form-action 'none'`;

/**
 * The acknowledgments behind a cell: each distinct reason once, with its condition, who made it and links to the
 * acknowledgments' rows.
 */
function ackList(refs: readonly AcknowledgmentRef[]): string {
  const groups = new Map<string, { ref: AcknowledgmentRef; ns: number[] }>();
  for (const a of refs) {
    const key = `${a.origin ?? ''}\u0000${a.reason}\u0000${a.condition ?? ''}`;
    const g = groups.get(key) ?? { ref: a, ns: [] };
    if (a.n !== undefined) g.ns.push(a.n);
    groups.set(key, g);
  }
  return `<ul class="acks">${[...groups.values()].map(({ ref: a, ns }) => `<li>${ns.map((n) => `<a href="#ack-${n}">#${n}</a> `).join('')}<span class="by">${esc(madeBy(a.origin))}</span><span class="why">: ${esc(a.reason)}`
    + `${a.condition ? ` <span class="cond">(only where ${esc(a.condition)})</span>` : ''}</span></li>`).join('')}</ul>`;
}

/** The human report as one static HTML page: no external resources; one hashed style and one hashed script. */
export function toHtml(bundle: EvidenceBundle): string {
  const t = totals(bundle);
  const stacks = bundle.stacks.map((s) => s.path);
  const cellOf = cellIndex(bundle.results);
  const acks = acknowledgmentIndex(bundle);
  // A rule's cell shows under every requirement the rule maps to: each cell is rendered once.
  const rendered = new Map<Cell, string>();
  const td = (c: Cell): string => {
    let html = rendered.get(c);
    if (html === undefined) rendered.set(c, html = `<td class="${c.status === 'N/A' ? 'NA' : c.status}">${esc(cellText(c))}${c.acknowledged > 0 ? ackList(acks.refs(c)) : ''}</td>`);
    return html;
  };
  const h: string[] = [];
  h.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Compliance evidence${bundle.platform ? ` – ${esc(bundle.platform)}` : ''}</title><style>${REPORT_CSS}</style></head><body>`);
  h.push(`<h1>Compliance evidence${bundle.platform ? `: ${esc(bundle.platform)}` : ''}</h1>`);
  if (bundle.demo) h.push(`<p class="banner" id="demo">DEMO MODE: ${esc(bundle.demo.reason)}</p>`);
  h.push(`<p id="verdict"><strong>${esc(verdictOf(bundle).line)}</strong></p>`);
  const sections = frameworkSections(bundle);
  h.push('<nav><strong>Contents:</strong> <a href="#summary">Summary</a> · <a href="#findings">Unacknowledged findings</a> · <a href="#acks">Acknowledgments</a> · <a href="#routes">Public routes</a> · ',
    sections.map((sec) => `<a href="#fw-${sec.key}">${esc(sec.title.replace(/ \(.*$/, ''))}</a>`).join(' · '), ' · <a href="#rules">Rules</a> · <a href="#provenance">Provenance</a></nav>');
  h.push('<div id="filters">Search and filter need JavaScript; without it every row is shown: use the browser\'s find.</div>');
  const grid = summaryGrid(bundle);
  // Stacks are rows and frameworks columns: an app has more stacks than frameworks, and the grid must fit 800 px.
  h.push('<h2 id="summary">Summary: framework × stack</h2>',
    `<div class="wrap"><table class="grid" id="summary-grid"><tr><th>Stack</th>${grid.frameworks.map((f) => `<th><a href="#fw-${f.key}">${esc(f.title.replace(/ \(.*$/, ''))}</a></th>`).join('')}</tr>`,
    ...grid.stacks.map((st) => `<tr><th><code>${esc(st)}</code></th>${grid.frameworks.map((f) => {
      const c = grid.cells[f.key][st];
      return `<td data-framework="${esc(f.key)}" data-stack="${esc(st)}" data-pass="${c.pass}" data-fail="${c.fail}" data-acknowledged="${c.acknowledged}" data-na="${c.notApplicable}" class="${c.fail > 0 ? 'FAIL' : c.acknowledged > 0 ? 'ACKNOWLEDGED' : c.pass > 0 ? 'PASS' : 'NA'}">`
        + `${c.fail} failed<br>${c.acknowledged} acknowledged<br>${c.pass} passed<br>${c.notApplicable} n/a</td>`;
    }).join('')}</tr>`), '</table></div>');
  h.push(`<p>Generated ${esc(bundle.generatedAt)} by ${esc(bundle.tool.name)} ${esc(bundle.tool.version)} at synth. Evidence for an assessor, not proof of compliance.</p>`);
  h.push('<ul class="summary">',
    `<li>Profiles: ${esc(bundle.profiles.join(', '))}</li>`,
    `<li>Minimums: audit archive ${bundle.minimums.auditRetentionYears} years, log retention ${bundle.minimums.logRetentionDays} days, TLS ${esc(bundle.minimums.minTlsVersion)}+ (${esc(bundle.minimums.basis)})</li>`,
    `<li>Packs: ${esc(bundle.packs.map((p) => `${p.name}${p.version ? ` ${p.version}` : ''} (${p.rules.length} rules)`).join(', '))}</li>`,
    `<li>Results: <strong>${t.fail} unacknowledged findings</strong>, ${t.acknowledged} acknowledged, ${t.pass} passed, ${t.notApplicable} not applicable</li>`,
    '</ul>');

  const findings = bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
  h.push('<h2 id="findings">Unacknowledged findings</h2>');
  h.push(findings.length === 0 ? '<p>None.</p>' : `<div class="wrap"><table class="wide"><tr><th>Rule</th><th>Resource</th><th>Type</th><th>Stack</th></tr>${findings.map((f) =>
    `<tr data-f><td class="FAIL">${esc(f.ruleId)}</td><td><code>${esc(f.constructPath)}</code></td><td>${esc(f.resourceType)}</td><td><code>${esc(f.stack)}</code></td></tr>`).join('')}</table></div>`);

  const unused = new Map(unusedAcknowledgments(bundle).map((u) => [`${u.ack.constructPath}\u0000${u.ack.ruleId}`, u.why]));
  h.push('<h2 id="acks">Acknowledgments</h2>');
  if (unused.size > 0) h.push(`<p class="unused" id="unused-count"><strong>${unused.size} acknowledgment(s) acknowledged nothing</strong> (marked UNUSED): remove them or fix their rule id.</p>`);
  h.push(bundle.acknowledgments.length === 0 ? '<p>None.</p>' : `<div class="wrap"><table class="wide" id="ack-table"><tr><th>#</th><th>Rule and resource</th><th>Reason</th><th>Condition</th><th>Made by</th><th>Used</th></tr>${bundle.acknowledgments.map((a) => {
    const why = unused.get(`${a.constructPath}\u0000${a.ruleId}`);
    const n = acks.number(a);
    return `<tr data-f id="ack-${n}"${why ? ' class="unused"' : ''}><td>${n}</td><td>${esc(a.ruleId)}<br><code>${esc(a.constructPath)}</code></td><td>${a.reason.trim() ? esc(a.reason) : '<strong>MISSING REASON</strong>'}</td>`
      + `<td>${a.condition === undefined ? '' : esc(a.condition)}</td>`
      + `<td>${esc(madeBy(a.origin))}${a.source ? `<br><code>${esc(`${a.source.file}:${a.source.line}`)}</code>` : ''}</td>`
      + `<td>${why === undefined ? 'yes' : `<strong>UNUSED</strong>: ${why === 'unknown-rule' ? 'not a rule of a pack that ran' : 'matched no finding'}`}</td></tr>`;
  }).join('')}</table></div>`);

  h.push('<h2 id="routes">Public routes (served without authorization)</h2>');
  h.push(bundle.publicRoutes.length === 0 ? '<p>None declared.</p>' : `<table><tr><th>Route</th><th>API</th><th>Reason</th></tr>${bundle.publicRoutes.map((r) =>
    `<tr data-f><td><code>${esc(`${r.method} ${r.path}`)}</code></td><td>${esc(r.api ? `${r.api} ${r.version ?? ''}` : 'any')}</td><td>${esc(r.reason ?? '')}</td></tr>`).join('')}</table>`);

  for (const section of sections) {
    h.push(`<h2 id="fw-${section.key}">${esc(section.title)}</h2>`);
    const header = `<thead><tr><th>Requirement</th><th>Rule</th>${stacks.map((st) => `<th><code>${esc(st)}</code></th>`).join('')}</tr></thead>`;
    const naRule = (id: string): boolean => stacks.every((st) => cellOf(id, st).status === 'N/A');
    const ruleLink = (id: string): string => `<a href="#rule-${esc(id)}">${esc(id)}</a>`;
    // One tbody per requirement: the unit the filter shows or hides, so its rows stay together. In a requirement with
    // results, the rules that applied to nothing share one line instead of a row of n/a cells each.
    const rows = (reqs: readonly RequirementRow[], collapseNa: boolean): string => reqs.map((req) => {
      const shown = collapseNa ? req.rules.filter((r) => !naRule(r.id)) : req.rules;
      const idle = req.rules.filter((r) => !shown.includes(r));
      const span = shown.length + (idle.length > 0 ? 1 : 0);
      const head = `<th rowspan="${span}" scope="rowgroup">${esc(req.id)}${req.title ? `<br><span class="title">${esc(req.title)}</span>` : ''}</th>`;
      return `<tbody data-f>${shown.map((rule, i) => `<tr>${i === 0 ? head : ''}<td class="rule">${ruleLink(rule.id)}</td>${stacks.map((st) => td(cellOf(rule.id, st))).join('')}</tr>`).join('')}`
        + `${idle.length > 0 ? `<tr>${shown.length === 0 ? head : ''}<td colspan="${stacks.length + 1}" class="NA">n/a in every stack: ${idle.map((r) => ruleLink(r.id)).join(', ')}</td></tr>` : ''}</tbody>`;
    }).join('');
    // Requirements whose every cell is n/a collapse: they say only that nothing they check exists.
    const allNa = (req: RequirementRow): boolean => req.rules.every((rule) => naRule(rule.id));
    const active = section.requirements.filter((req) => !allNa(req));
    const idle = section.requirements.filter(allNa);
    h.push(active.length > 0 ? `<div class="wrap"><table>${header}${rows(active, true)}</table></div>` : '<p>No rule of this framework applied to a resource.</p>');
    if (idle.length > 0) h.push(`<details class="idle"><summary>${idle.length} requirement(s) with no applicable resource (all n/a)</summary><div class="wrap"><table>${header}${rows(idle, false)}</table></div></details>`);
  }
  h.push('<h2 id="rules">Rules that ran</h2>', `<details class="idle"><summary>${t.rules} rules: what each checks</summary><div class="wrap"><table class="wide"><tr><th>Rule</th><th>Level</th><th>What it checks</th><th>Not applicable to</th></tr>${
    bundle.packs.flatMap((pk) => pk.rules).map((r) => `<tr data-f id="rule-${esc(r.id)}"><td>${esc(r.id)}</td><td>${r.level}</td><td>${esc(r.requirement ?? r.info)}</td><td>${r.notApplicable} resources</td></tr>`).join('')}</table></div></details>`);
  const p = bundle.provenance;
  h.push('<h2 id="provenance">Provenance</h2>', '<ul class="summary">',
    `<li>Commit: <code>${esc(p?.commit ?? 'unknown')}</code>${p?.dirty ? ' (with uncommitted changes)' : ''}</li>`,
    `<li>Versions: ${esc(Object.entries(p?.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'unknown')}</li>`,
    '</ul>', (p?.templates.length ?? 0) === 0 ? '<p>No template hashes recorded.</p>'
      : `<div class="wrap"><table class="wide"><tr><th>Template</th><th>SHA-256</th></tr>${p!.templates.map((tpl) => `<tr><td><code>${esc(tpl.path)}</code></td><td><code>${esc(tpl.sha256)}</code></td></tr>`).join('')}</table></div>`);
  h.push(`<script>${REPORT_SCRIPT}</script>`, '</body></html>', '');
  return h.join('\n');
}
