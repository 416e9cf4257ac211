import { EvidenceBundle } from '../evidence';
import { acknowledgmentIndex, Cell, madeBy, cellIndex, cellText, frameworkSections, totals, unusedAcknowledgments } from './model';
import { verdictOf } from './verdict';

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The human report (Markdown): per requirement the rules and their status per stack, acknowledgments, public routes. */
export function toMarkdown(bundle: EvidenceBundle): string {
  const t = totals(bundle);
  const stacks = bundle.stacks.map((s) => s.path);
  const cellOf = cellIndex(bundle.results);
  const acks = acknowledgmentIndex(bundle);
  // An acknowledged cell names the acknowledgments behind it (#n in the acknowledgments table: reason, condition, maker).
  const cellMd = (c: Cell): string => (c.acknowledged > 0 ? `${cellText(c)}: ${acks.refs(c).map((a) => (a.n === undefined ? md(a.reason) : `#${a.n}`)).join(', ')}` : cellText(c));
  const out: string[] = [];
  out.push(`# Compliance evidence${bundle.platform ? `: ${md(bundle.platform)}` : ''}`, '');
  if (bundle.demo) out.push(`> **DEMO MODE:** ${md(bundle.demo.reason)}`, '');
  out.push(`**${md(verdictOf(bundle).line)}**`, '');
  out.push(`Generated ${bundle.generatedAt} by ${bundle.tool.name} ${bundle.tool.version} at synth. Evidence for an assessor, not proof of compliance: it shows which automated checks ran on the synthesized templates and what they found.`, '');
  out.push(`- Profiles: ${bundle.profiles.join(', ')}`);
  out.push(`- Minimums: audit archive ${bundle.minimums.auditRetentionYears} years, log retention ${bundle.minimums.logRetentionDays} days, TLS ${bundle.minimums.minTlsVersion}+ (${md(bundle.minimums.basis)})`);
  out.push(`- Packs: ${bundle.packs.map((p) => `${p.name} (${p.rules.length} rules)`).join(', ')}`);
  out.push(`- Results: ${t.fail} unacknowledged findings, ${t.acknowledged} acknowledged, ${t.pass} passed, ${t.notApplicable} not applicable`);
  out.push(`- Stacks: ${stacks.map((s) => `\`${s}\``).join(', ') || 'none'}`, '');

  out.push('## Unacknowledged findings', '');
  const findings = bundle.results.filter((r) => r.status === 'fail' || r.status === 'error');
  if (findings.length === 0) {out.push('None.', '');} else {
    out.push('| Rule | Resource | Type | Stack |', '|---|---|---|---|');
    for (const f of findings) out.push(`| ${md(f.ruleId)} | \`${md(f.constructPath)}\` | ${f.resourceType} | \`${md(f.stack)}\` |`);
    out.push('');
  }

  out.push('## Acknowledgments', '');
  const unused = new Map(unusedAcknowledgments(bundle).map((u) => [`${u.ack.constructPath}\u0000${u.ack.ruleId}`, u.why]));
  if (unused.size > 0) out.push(`**${unused.size} acknowledgment(s) acknowledged nothing** (marked UNUSED): remove them or fix their rule id.`, '');
  if (bundle.acknowledgments.length === 0) {out.push('None.', '');} else {
    out.push('| # | Rule | Where | Reason | Condition | Made by | Used |', '|---|---|---|---|---|---|---|');
    for (const a of bundle.acknowledgments) {
      const why = unused.get(`${a.constructPath}\u0000${a.ruleId}`);
      out.push(`| ${acks.number(a)} | ${md(a.ruleId)} | \`${md(a.constructPath)}\` | ${a.reason.trim() ? md(a.reason) : '**MISSING REASON**'} | ${md(a.condition ?? '')} | `
        + `${madeBy(a.origin)}${a.source ? ` (\`${md(`${a.source.file}:${a.source.line}`)}\`)` : ''} | ${why === undefined ? 'yes' : `**UNUSED**: ${why === 'unknown-rule' ? 'not a rule of a pack that ran' : 'matched no finding'}`} |`);
    }
    out.push('');
  }

  out.push('## Public routes (served without authorization)', '');
  if (bundle.publicRoutes.length === 0) {out.push('None declared.', '');} else {
    out.push('| Route | API | Reason |', '|---|---|---|');
    for (const r of bundle.publicRoutes) out.push(`| \`${r.method} ${md(r.path)}\` | ${r.api ? `${md(r.api)} ${md(r.version ?? '')}` : 'any'} | ${md(r.reason ?? '')} |`);
    out.push('');
  }

  for (const section of frameworkSections(bundle)) {
    out.push(`## ${section.title}`, '');
    out.push(`| Requirement | Rule | ${stacks.map((s) => md(s)).join(' | ')} |`, `|---|---|${stacks.map(() => '---').join('|')}|`);
    for (const req of section.requirements) {
      for (const rule of req.rules) {
        const label = req.title ? `${req.id} ${md(req.title)}` : req.id;
        out.push(`| ${label} | ${md(rule.id)} | ${stacks.map((s) => cellMd(cellOf(rule.id, s))).join(' | ')} |`);
      }
    }
    out.push('');
  }

  out.push('## Rules that ran', '');
  out.push('| Rule | Requirement / finding | Not applicable to |', '|---|---|---|');
  for (const pack of bundle.packs) for (const r of pack.rules) out.push(`| ${md(r.id)} | ${md(r.requirement ?? r.info)} | ${r.notApplicable} resources |`);
  out.push('');

  const p = bundle.provenance;
  out.push('## Provenance', '');
  out.push(`- Commit: \`${p?.commit ?? 'unknown'}\`${p?.dirty ? ' (with uncommitted changes)' : ''}`);
  out.push(`- Versions: ${Object.entries(p?.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'unknown'}`, '');
  if ((p?.templates.length ?? 0) > 0) {
    out.push('| Template | SHA-256 |', '|---|---|');
    for (const tpl of p!.templates) out.push(`| \`${md(tpl.path)}\` | \`${tpl.sha256}\` |`);
    out.push('');
  }
  return out.join('\n');
}
