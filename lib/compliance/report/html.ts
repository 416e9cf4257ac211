import { EvidenceBundle } from '../evidence';
import { Cell, cellIndex, cellText, frameworkSections, totals } from './model';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.FAIL{background:#ffebe9;color:#82071e;font-weight:600}.ACKNOWLEDGED{background:#fff8c5}.PASS{background:#dafbe1}.NA{color:#6e7781}
code{font-size:12px}.summary li{margin:.15rem 0}`;

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
  h.push(`<p>Generated ${esc(bundle.generatedAt)} by ${esc(bundle.tool.name)} ${esc(bundle.tool.version)} at synth. Evidence for an assessor, not proof of compliance.</p>`);
  h.push('<ul class="summary">',
    `<li>Profiles: ${esc(bundle.profiles.join(', '))}</li>`,
    `<li>Minimums: audit archive ${bundle.minimums.auditRetentionYears} years, log retention ${bundle.minimums.logRetentionDays} days, TLS ${esc(bundle.minimums.minTlsVersion)}+ (${esc(bundle.minimums.basis)})</li>`,
    `<li>Packs: ${esc(bundle.packs.map((p) => `${p.name} (${p.rules.length} rules)`).join(', '))}</li>`,
    `<li>Results: <strong>${t.fail} unacknowledged findings</strong>, ${t.acknowledged} acknowledged, ${t.pass} passed, ${t.notApplicable} not applicable</li>`,
    '</ul>');

  const findings = bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
  h.push('<h2>Unacknowledged findings</h2>');
  h.push(findings.length === 0 ? '<p>None.</p>' : `<table><tr><th>Rule</th><th>Resource</th><th>Type</th><th>Stack</th></tr>${findings.map((f) =>
    `<tr><td>${esc(f.ruleId)}</td><td><code>${esc(f.constructPath)}</code></td><td>${esc(f.resourceType)}</td><td><code>${esc(f.stack)}</code></td></tr>`).join('')}</table>`);

  h.push('<h2>Acknowledgments</h2>');
  h.push(bundle.acknowledgments.length === 0 ? '<p>None.</p>' : `<table><tr><th>Rule</th><th>Where</th><th>Reason</th></tr>${bundle.acknowledgments.map((a) =>
    `<tr><td>${esc(a.ruleId)}</td><td><code>${esc(a.constructPath)}</code></td><td>${a.reason.trim() ? esc(a.reason) : '<strong>MISSING REASON</strong>'}</td></tr>`).join('')}</table>`);

  h.push('<h2>Public routes (served without authorization)</h2>');
  h.push(bundle.publicRoutes.length === 0 ? '<p>None declared.</p>' : `<table><tr><th>Route</th><th>API</th><th>Reason</th></tr>${bundle.publicRoutes.map((r) =>
    `<tr><td><code>${esc(`${r.method} ${r.path}`)}</code></td><td>${esc(r.api ? `${r.api} ${r.version ?? ''}` : 'any')}</td><td>${esc(r.reason ?? '')}</td></tr>`).join('')}</table>`);

  for (const section of frameworkSections(bundle)) {
    h.push(`<h2>${esc(section.title)}</h2>`);
    h.push(`<table><tr><th>Requirement</th><th>Rule</th>${stacks.map((s) => `<th><code>${esc(s)}</code></th>`).join('')}</tr>`);
    for (const req of section.requirements) {
      req.rules.forEach((rule, i) => {
        const head = i === 0 ? `<td rowspan="${req.rules.length}"><strong>${esc(req.id)}</strong>${req.title ? `<br>${esc(req.title)}` : ''}</td>` : '';
        h.push(`<tr>${head}<td title="${esc(rule.info)}">${esc(rule.id)}</td>${stacks.map((s) => td(cellOf(rule.id, s))).join('')}</tr>`);
      });
    }
    h.push('</table>');
  }
  h.push('</body></html>', '');
  return h.join('\n');
}
