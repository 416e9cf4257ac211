import { ComplianceProfile } from './types';

/** What a compliance profile demands of every platform that selects it. */
export interface ProfileMinimums {
  /** Minimum WORM retention of the audit archive, in years. */
  readonly auditRetentionYears: number;
  /** Minimum retention of operational log groups, in days. */
  readonly logRetentionDays: number;
  /** Minimum TLS version on every endpoint. */
  readonly minTlsVersion: '1.2' | '1.3';
  /** Where the minimum comes from, in an assessor's words. */
  readonly basis: string;
}

export const PROFILE_MINIMUMS: Readonly<Record<ComplianceProfile, ProfileMinimums>> = {
  PCI_DSS: {
    auditRetentionYears: 1,
    logRetentionDays: 365,
    minTlsVersion: '1.2',
    basis: 'PCI DSS 4.0 req. 10.5.1 (audit log history of at least 12 months) and 4.2.1 (strong cryptography in transit)',
  },
  HIPAA: {
    auditRetentionYears: 6,
    logRetentionDays: 365,
    minTlsVersion: '1.2',
    basis: 'HIPAA 164.316(b)(2)(i) (retain documentation 6 years) and 164.312(e)(1) (transmission security)',
  },
  NIST_800_53: {
    auditRetentionYears: 3,
    logRetentionDays: 365,
    minTlsVersion: '1.2',
    basis: 'NIST SP 800-53 R5 AU-11 (audit record retention, NARA GRS 3.2 3 years) and SC-8 (transmission confidentiality)',
  },
  AWS_SOLUTIONS: {
    auditRetentionYears: 1,
    logRetentionDays: 90,
    minTlsVersion: '1.2',
    basis: 'AWS Well-Architected security pillar (SEC04: retain logs; SEC09: encrypt in transit)',
  },
};

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The strictest minimums across the selected profiles. */
export function profileMinimums(profiles: readonly ComplianceProfile[]): ProfileMinimums {
  const selected = profiles.length > 0 ? profiles : (['AWS_SOLUTIONS'] as const);
  const all = selected.map((p) => PROFILE_MINIMUMS[p]).filter((m): m is ProfileMinimums => m !== undefined);
  return {
    auditRetentionYears: Math.max(...all.map((m) => m.auditRetentionYears)),
    logRetentionDays: Math.max(...all.map((m) => m.logRetentionDays)),
    minTlsVersion: all.some((m) => m.minTlsVersion === '1.3') ? '1.3' : '1.2',
    basis: all.map((m) => m.basis).join('; '),
  };
}

/** The smallest CloudWatch-valid retention period that is at least `days`. */
export function roundUpLogRetention(days: number): number {
  return LOG_RETENTION_DAYS.find((d) => d >= days) ?? 3653;
}
