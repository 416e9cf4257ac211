import { REQUIREMENT_TITLES } from '../controls';
import { EvidenceBundle } from '../evidence';
import { RuleControls, RuleInfo, RuleResult } from '../recording';

/** A framework section of the human report. */
export interface FrameworkSection {
  readonly key: keyof RuleControls | 'awsSolutions';
  readonly title: string;
  readonly requirements: readonly RequirementRow[];
}

export interface RequirementRow {
  readonly id: string;
  readonly title?: string;
  readonly rules: readonly RuleInfo[];
}

export type CellStatus = 'FAIL' | 'ACKNOWLEDGED' | 'PASS' | 'N/A';

export interface Cell {
  readonly status: CellStatus;
  readonly pass: number;
  readonly fail: number;
  readonly acknowledged: number;
}

const FRAMEWORKS: readonly { key: FrameworkSection['key']; title: string }[] = [
  { key: 'pci', title: 'PCI DSS 4.0 (platform rules)' },
  { key: 'pci321', title: 'PCI DSS 3.2.1 (cdk-nag PCI pack; PCI DSS 3.2.1 is retired: supporting evidence only)' },
  { key: 'hipaa', title: 'HIPAA Security Rule (45 CFR 164.312)' },
  { key: 'nist', title: 'NIST SP 800-53 Rev. 5' },
  { key: 'awsSolutions', title: 'AWS Solutions (Well-Architected baseline; no control ids)' },
];

/** Natural order of requirement ids: 3.6.1 < 10.2.1, AC-3 < AC-12, 164.312(a)(1) < 164.312(b). */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Rules grouped per framework and requirement. */
export function frameworkSections(bundle: EvidenceBundle): FrameworkSection[] {
  const rules = bundle.packs.flatMap((p) => p.rules);
  return FRAMEWORKS.map(({ key, title }) => {
    const byId = new Map<string, RuleInfo[]>();
    for (const rule of rules) {
      const ids = key === 'awsSolutions' ? (rule.pack === 'AwsSolutions' ? ['AWS Solutions'] : []) : rule.controls[key] ?? [];
      for (const id of ids) byId.set(id, [...(byId.get(id) ?? []), rule]);
    }
    const titles = key === 'pci' || key === 'pci321' ? REQUIREMENT_TITLES.pci : key === 'awsSolutions' ? {} : REQUIREMENT_TITLES[key] ?? {};
    const requirements = [...byId.entries()].sort(([a], [b]) => compareIds(a, b)).map(([id, rs]) => ({
      id,
      title: key === 'pci321' ? undefined : Object.prototype.hasOwnProperty.call(titles, id) ? titles[id] : undefined,
      rules: rs.sort((x, y) => compareIds(x.id, y.id)),
    }));
    return { key, title, requirements };
  }).filter((s) => s.requirements.length > 0);
}

/** The status of one rule in one stack. */
export function cell(results: readonly RuleResult[], rule: string, stack: string): Cell {
  let pass = 0;
  let fail = 0;
  let acknowledged = 0;
  for (const r of results) {
    if (r.rule !== rule || r.stack !== stack) continue;
    if (r.status === 'pass') pass++;
    else if (r.status === 'acknowledged') acknowledged++;
    else fail++;
  }
  const status: CellStatus = fail > 0 ? 'FAIL' : acknowledged > 0 ? 'ACKNOWLEDGED' : pass > 0 ? 'PASS' : 'N/A';
  return { status, pass, fail, acknowledged };
}

/** Results indexed by rule then stack, for fast cell lookups over large apps. */
export function cellIndex(results: readonly RuleResult[]): (rule: string, stack: string) => Cell {
  const groups = new Map<string, RuleResult[]>();
  for (const r of results) {
    const k = `${r.rule}\u0000${r.stack}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return (rule, stack) => cell(groups.get(`${rule}\u0000${stack}`) ?? [], rule, stack);
}

export function cellText(c: Cell): string {
  switch (c.status) {
    case 'FAIL': return `FAIL (${c.fail})`;
    case 'ACKNOWLEDGED': return `ACKNOWLEDGED (${c.acknowledged})${c.pass > 0 ? `, pass ${c.pass}` : ''}`;
    case 'PASS': return `PASS (${c.pass})`;
    default: return 'n/a';
  }
}

export interface Totals {
  readonly rules: number;
  readonly pass: number;
  readonly fail: number;
  readonly acknowledged: number;
  readonly notApplicable: number;
}

export function totals(bundle: EvidenceBundle): Totals {
  const rules = bundle.packs.flatMap((p) => p.rules);
  return {
    rules: rules.length,
    pass: bundle.results.filter((r) => r.status === 'pass').length,
    fail: bundle.results.filter((r) => r.status === 'fail' || r.status === 'error').length,
    acknowledged: bundle.results.filter((r) => r.status === 'acknowledged').length,
    notApplicable: rules.reduce((n, r) => n + r.notApplicable, 0),
  };
}
