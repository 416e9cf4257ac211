import { EvidenceBundle } from '../evidence';
import { cellIndex, cellText, frameworkSections, totals } from './model';

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The human report (Markdown): per requirement the rules and their status per stack, acknowledgments, public routes. */
export function toMarkdown(bundle: EvidenceBundle): string {
  const t = totals(bundle);
  const stacks = bundle.stacks.map((s) => s.path);
  const cellOf = cellIndex(bundle.results);
  const out: string[] = [];
  out.push(`# Compliance evidence${bundle.platform ? `: ${md(bundle.platform)}` : ''}`, '');
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
  if (bundle.acknowledgments.length === 0) {out.push('None.', '');} else {
    out.push('| Rule | Where | Reason |', '|---|---|---|');
    for (const a of bundle.acknowledgments) out.push(`| ${md(a.ruleId)} | \`${md(a.constructPath)}\` | ${a.reason.trim() ? md(a.reason) : '**MISSING REASON**'} |`);
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
        out.push(`| ${label} | ${md(rule.id)} | ${stacks.map((s) => cellText(cellOf(rule.id, s))).join(' | ')} |`);
      }
    }
    out.push('');
  }

  out.push('## Rules that ran', '');
  out.push('| Rule | Requirement / finding | Not applicable to |', '|---|---|---|');
  for (const pack of bundle.packs) for (const r of pack.rules) out.push(`| ${md(r.id)} | ${md(r.requirement ?? r.info)} | ${r.notApplicable} resources |`);
  out.push('');
  return out.join('\n');
}
