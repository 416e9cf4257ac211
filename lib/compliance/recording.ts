/**
 * What a compliance run records, whichever cloud ran it: each rule's result on each resource, and the rule catalogue
 * with its control mappings. The AWS recorder (`aws/recording.ts`) fills these from cdk-nag; the reports read them.
 */

/** What one rule concluded about one resource (not-applicable results are only counted, per rule). */
export type RuleStatus = 'pass' | 'fail' | 'acknowledged' | 'error';

export interface RuleResult {
  /** Pack name, e.g. `SecureApi`, `HIPAA.Security`. */
  readonly pack: string;
  /** Rule id as acknowledged and reported, with a `[finding]` suffix for findings-based rules. */
  readonly ruleId: string;
  /** The rule's id without the finding suffix. */
  readonly rule: string;
  readonly status: RuleStatus;
  readonly level: 'error' | 'warning' | 'info';
  readonly constructPath: string;
  readonly resourceType: string;
  readonly logicalId: string;
  /** Construct path of the stack that holds the resource. */
  readonly stack: string;
  /** Template file, relative to the root cloud assembly directory. */
  readonly template?: string;
  /** Acknowledgment reason (status `acknowledged`). */
  readonly reason?: string;
  /** Construct path where the acknowledgment was recorded. */
  readonly acknowledgedAt?: string;
  /** The configuration that makes the acknowledgment's reason true, when it depends on one. */
  readonly condition?: string;
  /** Error message of a rule that threw (status `error`). */
  readonly message?: string;
}

/** Control ids a rule maps to, per framework. */
export interface RuleControls {
  /** PCI DSS 4.0 (platform rules). */
  readonly pci?: readonly string[];
  /** PCI DSS 3.2.1 (cdk-nag's PCI pack). */
  readonly pci321?: readonly string[];
  /** HIPAA Security Rule paragraphs. */
  readonly hipaa?: readonly string[];
  /** NIST SP 800-53 Rev. 5. */
  readonly nist?: readonly string[];
}

/** A rule that ran, with its texts and mappings. */
export interface RuleInfo {
  readonly id: string;
  readonly pack: string;
  readonly info: string;
  readonly explanation: string;
  readonly level: 'error' | 'warning' | 'info';
  readonly controls: RuleControls;
  /** One-line requirement (platform rules). */
  readonly requirement?: string;
  /** Resources the rule found not applicable. */
  notApplicable: number;
}
