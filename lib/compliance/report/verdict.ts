import { EvidenceBundle } from '../evidence';
import { RuleResult } from '../recording';
import { unusedAcknowledgments } from './model';

/** The lowest finding level that fails the gate; `never` reports without failing. */
export type FailOn = 'error' | 'warning' | 'note' | 'never';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'note', 'never'];

const RANK: Readonly<Record<'error' | 'warning' | 'note', number>> = { error: 3, warning: 2, note: 1 };
const THRESHOLD: Readonly<Record<FailOn, number>> = { error: 3, warning: 2, note: 1, never: Number.POSITIVE_INFINITY };

/** A finding's level: a rule that threw is an error; otherwise the rule's level (`info` is SARIF's `note`). */
export function findingLevel(r: RuleResult): 'error' | 'warning' | 'note' {
  if (r.status === 'error') return 'error';
  return r.level === 'info' ? 'note' : r.level;
}

export interface Verdict {
  /** False when an unacknowledged finding at or above the threshold exists. */
  readonly ok: boolean;
  readonly failOn: FailOn;
  /** Unacknowledged findings by level. */
  readonly findings: { readonly error: number; readonly warning: number; readonly note: number };
  /** Findings at or above the threshold. */
  readonly failing: number;
  readonly acknowledged: number;
  readonly passed: number;
  readonly unusedAcknowledgments: number;
  readonly stacks: number;
  readonly demo: boolean;
  /** The one line `report` and `cdk synth` print. */
  readonly line: string;
}

/**
 * The gate's verdict over the evidence, and the one line that says it, e.g.
 * `compliance: FAIL: 2 unacknowledged findings (2 error) at or above note; 144 acknowledged, 1203 passed in 7 stacks; report: cdk.out/compliance/compliance-report.html`.
 */
export function verdictOf(bundle: EvidenceBundle, options: { readonly failOn?: FailOn; readonly report?: string } = {}): Verdict {
  const failOn = options.failOn ?? 'note';
  const findings = { error: 0, warning: 0, note: 0 };
  let failing = 0;
  let acknowledged = 0;
  let passed = 0;
  for (const r of bundle.results) {
    if (r.status === 'pass') {passed++;} else if (r.status === 'acknowledged') {acknowledged++;} else {
      const level = findingLevel(r);
      findings[level]++;
      if (RANK[level] >= THRESHOLD[failOn]) failing++;
    }
  }
  const total = findings.error + findings.warning + findings.note;
  const unused = unusedAcknowledgments(bundle).length;
  const ok = failing === 0;
  const levels = (['error', 'warning', 'note'] as const).filter((l) => findings[l] > 0).map((l) => `${findings[l]} ${l}`).join(', ');
  const parts = [
    `${total} unacknowledged finding${total === 1 ? '' : 's'}${total > 0 ? ` (${levels})` : ''}${failOn === 'never' ? ' (--fail-on never)' : failOn !== 'note' ? `, ${failing} at or above ${failOn}` : ''}`,
    `${acknowledged} acknowledged${unused > 0 ? ` (${unused} acknowledgment${unused === 1 ? '' : 's'} unused)` : ''}`,
    `${passed} passed in ${bundle.stacks.length} stack${bundle.stacks.length === 1 ? '' : 's'}`,
  ];
  const demo = bundle.demo !== undefined;
  const line = `compliance: ${ok ? 'PASS' : 'FAIL'}${demo ? ' (DEMO MODE: not a production configuration)' : ''}: ${parts.join('; ')}${options.report ? `; report: ${options.report}` : ''}`;
  return { ok, failOn, findings, failing, acknowledged, passed, unusedAcknowledgments: unused, stacks: bundle.stacks.length, demo, line };
}
