import { Acknowledgment } from '../acknowledge';
import { EvidenceBundle } from '../evidence';
import { RuleControls, RuleInfo, RuleResult } from '../recording';
import { controlTitle, normalizeControlId } from './titles';

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
  /** The acknowledgments behind the acknowledged results (`acknowledgedAt` + NUL + rule id), sorted. */
  readonly acknowledgedBy: readonly string[];
}

const FRAMEWORKS: readonly { key: FrameworkSection['key']; title: string }[] = [
  { key: 'pci', title: 'PCI DSS 4.0 (platform rules)' },
  { key: 'pci321', title: 'PCI DSS 3.2.1 (cdk-nag PCI pack; PCI DSS 3.2.1 is retired: supporting evidence only)' },
  { key: 'hipaa', title: 'HIPAA Security Rule (45 CFR Part 164 Subpart C: 164.308 administrative and 164.312 technical safeguards)' },
  { key: 'nist', title: 'NIST SP 800-53 Rev. 5' },
  { key: 'awsSolutions', title: 'AWS Solutions (Well-Architected baseline; no control ids)' },
];

/** `a.localeCompare(b, 'en', { numeric: true })` with its collator built once, not per comparison. */
const ID_ORDER = new Intl.Collator('en', { numeric: true });

/** Natural order of requirement ids: 3.6.1 < 10.2.1, AC-3 < AC-12, 164.312(a)(1) < 164.312(b). */
export function compareIds(a: string, b: string): number {
  return ID_ORDER.compare(a, b);
}

/**
 * The first sentence of a cdk-nag rule's info text, without its control-id list: the title of an AwsSolutions rule
 * (that pack maps to no control ids; each rule is its own row).
 */
export function ruleTitle(rule: Pick<RuleInfo, 'info'>): string {
  const text = rule.info.replace(/\s*-?\s*\(Control IDs?:.*\)\.?\s*$/, '').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return (m ? m[1] : text).replace(/\.$/, '');
}

/** Rules grouped per framework and requirement, each requirement with its title. */
export function frameworkSections(bundle: EvidenceBundle): FrameworkSection[] {
  const rules = bundle.packs.flatMap((p) => p.rules);
  return FRAMEWORKS.map(({ key, title }) => {
    const byId = new Map<string, RuleInfo[]>();
    const titles = new Map<string, string | undefined>();
    for (const rule of rules) {
      const ids = key === 'awsSolutions'
        ? (rule.pack === 'AwsSolutions' ? [rule.id] : [])
        : [...new Set((rule.controls[key] ?? []).map(normalizeControlId))];
      for (const id of ids) {
        byId.set(id, [...(byId.get(id) ?? []), rule]);
        titles.set(id, key === 'awsSolutions' ? ruleTitle(rule) : controlTitle(key, id));
      }
    }
    const requirements = [...byId.entries()].sort(([a], [b]) => compareIds(a, b)).map(([id, rs]) => ({
      id,
      title: titles.get(id),
      rules: rs.sort((x, y) => compareIds(x.id, y.id)),
    }));
    return { key, title, requirements };
  }).filter((s) => s.requirements.length > 0);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const ackKey = (constructPath: string, ruleId: string): string => `${constructPath}\u0000${ruleId}`;

/** One acknowledgment as a cell shows it: its number in the acknowledgments table, reason, condition and maker. */
export interface AcknowledgmentRef {
  readonly n?: number;
  readonly reason: string;
  readonly condition?: string;
  readonly origin?: string;
}

/**
 * The acknowledgments numbered in the evidence's (stable) order, and for a cell the acknowledgments behind it. A result
 * acknowledged by an acknowledgment the evidence does not list still shows the reason and condition it recorded.
 */
export function acknowledgmentIndex(bundle: Pick<EvidenceBundle, 'acknowledgments' | 'results'>): {
  number: (a: Acknowledgment) => number;
  refs: (c: Cell) => AcknowledgmentRef[];
} {
  const byKey = new Map(bundle.acknowledgments.map((a, i) => [ackKey(a.constructPath, a.ruleId), { ...a, n: i + 1 }]));
  const recorded = new Map<string, AcknowledgmentRef>();
  for (const r of bundle.results) {
    if (r.status === 'acknowledged') recorded.set(ackKey(r.acknowledgedAt ?? r.constructPath, r.ruleId), { reason: r.reason ?? '', condition: r.condition });
  }
  return {
    number: (a) => byKey.get(ackKey(a.constructPath, a.ruleId))?.n ?? 0,
    refs: (c) => c.acknowledgedBy.map((k) => {
      const a = byKey.get(k);
      return a ? { n: a.n, reason: a.reason, condition: a.condition ?? recorded.get(k)?.condition, origin: a.origin } : recorded.get(k) ?? { reason: '' };
    }),
  };
}

/** Who made an acknowledgment, as an assessor reads it. */
export function madeBy(origin: string | undefined): string {
  return origin === 'aws-cdk-lib' ? 'aws-cdk-lib' : origin === 'library' ? 'this library' : origin === 'app' ? 'the app' : 'unknown';
}

/** The status of one rule in one stack. */
export function cell(results: readonly RuleResult[], rule: string, stack: string): Cell {
  let pass = 0;
  let fail = 0;
  let acknowledged = 0;
  const by = new Set<string>();
  for (const r of results) {
    if (r.rule !== rule || r.stack !== stack) continue;
    if (r.status === 'pass') {pass++;} else if (r.status === 'acknowledged') {
      acknowledged++;
      by.add(ackKey(r.acknowledgedAt ?? r.constructPath, r.ruleId));
    } else {fail++;}
  }
  const status: CellStatus = fail > 0 ? 'FAIL' : acknowledged > 0 ? 'ACKNOWLEDGED' : pass > 0 ? 'PASS' : 'N/A';
  return { status, pass, fail, acknowledged, acknowledgedBy: [...by].sort(cmp) };
}

/**
 * Results indexed by rule then stack, for fast cell lookups over large apps. Two lookups, each keyed by a string the
 * evidence already holds (its hash computed once), rather than one key made of both: a new string to build and hash at
 * every ask, and the reports ask tens of thousands of times (rules × stacks, per format; 21 stacks at 1,000 routes).
 */
export function cellIndex(results: readonly RuleResult[]): (rule: string, stack: string) => Cell {
  const groups = new Map<string, Map<string, RuleResult[]>>();
  for (const r of results) {
    let byStack = groups.get(r.rule);
    if (!byStack) groups.set(r.rule, byStack = new Map());
    const g = byStack.get(r.stack);
    if (g) g.push(r);
    else byStack.set(r.stack, [r]);
  }
  // The reports ask for the same cell many times (n/a checks, then the row): each is counted once.
  const cells = new Map<string, Map<string, Cell>>();
  return (rule, stack) => {
    let byStack = cells.get(rule);
    if (!byStack) cells.set(rule, byStack = new Map());
    let c = byStack.get(stack);
    if (c === undefined) byStack.set(stack, c = cell(groups.get(rule)?.get(stack) ?? [], rule, stack));
    return c;
  };
}

export function cellText(c: Cell): string {
  switch (c.status) {
    case 'FAIL': return `FAIL (${c.fail})${c.acknowledged > 0 ? `, acknowledged ${c.acknowledged}` : ''}${c.pass > 0 ? `, pass ${c.pass}` : ''}`;
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


/** Stable order of results: stack, construct path, rule id, status (two runs over the same app diff cleanly). */
export function compareResults(a: RuleResult, b: RuleResult): number {
  return cmp(a.stack, b.stack) || cmp(a.constructPath, b.constructPath) || cmp(a.ruleId, b.ruleId) || cmp(a.status, b.status);
}

/** Stable order of acknowledgments: construct path, then rule id. */
export function compareAcknowledgments(a: Acknowledgment, b: Acknowledgment): number {
  return cmp(a.constructPath, b.constructPath) || cmp(a.ruleId, b.ruleId);
}

/** The bundle with every list in a stable order (results, acknowledgments, packs' rules, stacks). */
export function normalized(bundle: EvidenceBundle): EvidenceBundle {
  return {
    ...bundle,
    packs: bundle.packs.map((p) => ({ ...p, rules: [...p.rules].sort((a, b) => cmp(a.id, b.id)) })),
    results: [...bundle.results].sort(compareResults),
    acknowledgments: [...bundle.acknowledgments].sort(compareAcknowledgments),
    stacks: [...bundle.stacks].sort((a, b) => cmp(a.path, b.path)),
  };
}

/** Packs whose rule ids an acknowledgment may name. */
const KNOWN_PACKS = ['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5', 'SecureApi'];

/** Why an acknowledgment matched no finding. */
export type UnusedReason = 'unknown-rule' | 'no-finding';

/**
 * Acknowledgments that acknowledged nothing: the rule is not one of a pack that ran (e.g. a typo, or a rule of
 * another pack), or no result of that rule on that construct or below it was acknowledged by it.
 */
export function unusedAcknowledgments(bundle: Pick<EvidenceBundle, 'acknowledgments' | 'results' | 'packs'>): Array<{ readonly ack: Acknowledgment; readonly why: UnusedReason }> {
  const rules = new Set(bundle.packs.flatMap((p) => p.rules.map((r) => r.id)));
  const ran = new Set(bundle.packs.map((p) => p.name));
  const known = [...new Set([...KNOWN_PACKS, ...ran])];
  const used = new Set(bundle.results.filter((r) => r.status === 'acknowledged').map((r) => ackKey(r.acknowledgedAt ?? r.constructPath, r.ruleId)));
  const out: Array<{ ack: Acknowledgment; why: UnusedReason }> = [];
  for (const ack of bundle.acknowledgments) {
    if (used.has(ackKey(ack.constructPath, ack.ruleId))) continue;
    const base = ack.ruleId.replace(/\[.*\]$/, '');
    const pack = known.find((p) => base.startsWith(`${p}-`));
    // Not a pack rule (e.g. an acknowledged CDK warning), or a pack of a profile that did not run: not judged here.
    if (pack === undefined || !ran.has(pack)) continue;
    out.push({ ack, why: rules.has(base) ? 'no-finding' : 'unknown-rule' });
  }
  return out;
}

/** One cell of the summary grid: results of one framework's rules in one stack. */
export interface GridCell {
  readonly pass: number;
  readonly fail: number;
  readonly acknowledged: number;
  /** Rules of the framework that applied to nothing in the stack. */
  readonly notApplicable: number;
}

export interface SummaryGrid {
  readonly frameworks: readonly { readonly key: FrameworkSection['key']; readonly title: string }[];
  readonly stacks: readonly string[];
  /** `cells[framework][stack]`. */
  readonly cells: Readonly<Record<string, Readonly<Record<string, GridCell>>>>;
}

/**
 * The summary grid: for each framework (the rules mapped to it) and each stack, the number of results that passed,
 * failed (unacknowledged findings and rule errors) and were acknowledged, and the number of the framework's rules
 * that applied to nothing in the stack. A result counts once per framework its rule maps to.
 */
export function summaryGrid(bundle: EvidenceBundle): SummaryGrid {
  const sections = frameworkSections(bundle);
  const stacks = [...bundle.stacks.map((s) => s.path)].sort(cmp);
  const cells: Record<string, Record<string, GridCell>> = {};
  for (const section of sections) {
    const ruleIds = new Set(section.requirements.flatMap((req) => req.rules.map((r) => r.id)));
    // One pass over the results per framework (not per framework and stack).
    const counts = new Map(stacks.map((stack) => [stack, { pass: 0, fail: 0, acknowledged: 0, applied: new Set<string>() }]));
    for (const r of bundle.results) {
      const c = counts.get(r.stack);
      if (c === undefined || !ruleIds.has(r.rule)) continue;
      c.applied.add(r.rule);
      if (r.status === 'pass') c.pass++;
      else if (r.status === 'acknowledged') c.acknowledged++;
      else c.fail++;
    }
    const row: Record<string, GridCell> = {};
    for (const [stack, { pass, fail, acknowledged, applied }] of counts) {
      row[stack] = { pass, fail, acknowledged, notApplicable: ruleIds.size - applied.size };
    }
    cells[section.key] = row;
  }
  return { frameworks: sections.map((s) => ({ key: s.key, title: s.title })), stacks, cells };
}
