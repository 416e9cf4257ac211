import { PLATFORM_PACK_NAME } from './rule';
import { PLATFORM_RULES, ruleAppliesTo } from './rules';
import { ComplianceProfile } from '../../spec/types';

const PROFILE_LABEL: Readonly<Record<ComplianceProfile, string>> = { PCI_DSS: 'PCI', HIPAA: 'HIPAA', NIST_800_53: 'NIST', AWS_SOLUTIONS: 'AWS' };
const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The Markdown table of every platform rule, generated from the rules' metadata (README and docs/rules.md). */
export function rulesMarkdownTable(): string {
  const lines = [
    '| Rule | Requirement | Resources | PCI DSS 4.0 | HIPAA 164.312 | NIST 800-53 R5 | Profiles |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const rule of PLATFORM_RULES) {
    const m = rule.meta;
    const profiles = (Object.keys(PROFILE_LABEL) as ComplianceProfile[]).filter((p) => ruleAppliesTo(rule, p)).map((p) => PROFILE_LABEL[p]);
    lines.push(`| \`${PLATFORM_PACK_NAME}-${m.name}\` | ${cell(m.requirement)} | ${m.resourceTypes.map((t) => `\`${t}\``).join('<br>')} | ${m.pci.join(', ') || '–'} | ${m.hipaa.join(', ') || '–'} | ${m.nist.join(', ') || '–'} | ${profiles.join(', ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** docs/rules.md: a heading, a note that the file is generated, and the table. */
export function rulesDocument(): string {
  return [
    '# Platform rules (`SecureApi-*`)',
    '',
    '<!-- Generated from the rules\' metadata by `npx tsx scripts/gen-rules-doc.ts`; do not edit by hand. -->',
    '',
    'A profile runs a rule when the rule maps to its framework; AWS Solutions (the baseline of every profile) runs the rules marked AWS.',
    '',
    rulesMarkdownTable(),
  ].join('\n');
}
