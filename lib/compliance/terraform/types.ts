/**
 * Types of the Terraform compliance pass: plain JSON in (a synthesized `cdk.tf.json`), results out. Nothing here
 * imports cdktf or aws-cdk-lib, so the pass runs in the cdktf adapter, in a CLI, or in CI over a file.
 */
import { ComplianceRule, ControlMapping } from '../rule';

/** One Terraform block's attributes, as they appear in Terraform JSON. */
export interface TfAttributes {
  readonly [attribute: string]: unknown;
}

/** A synthesized Terraform JSON configuration (`cdk.tf.json`). Only `resource` is read by the rules. */
export interface TfConfig {
  readonly resource?: { readonly [type: string]: { readonly [name: string]: TfAttributes } };
  readonly [key: string]: unknown;
}

/** One resource of the configuration, with its address. */
export interface TfResource {
  /** e.g. `azurerm_key_vault`. */
  readonly type: string;
  /** The resource name (cdktf's friendly unique id). */
  readonly name: string;
  /** `type.name`: the Terraform address the report names. */
  readonly address: string;
  /** Construct path, from the `//` metadata cdktf writes (undefined once stripped, e.g. by Testing.synth). */
  readonly constructPath?: string;
  readonly attributes: TfAttributes;
}

/** Control ids per framework: the core's {@link ControlMapping} (the same ids as the AWS `SecureApi-*` pack). */
export type TfControls = ControlMapping;

export type TfRuleStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** What a rule says about one resource. */
export interface TfRuleVerdict {
  readonly status: TfRuleStatus;
  /** Why, for a NON_COMPLIANT verdict: what was found and how to fix it. */
  readonly detail?: string;
}

/** Options that rules read: the minimums of the selected compliance profiles. */
export interface TfCheckOptions {
  /**
   * Compliance profiles of the platform (`PCI_DSS`, `HIPAA`, `NIST_800_53`, `AWS_SOLUTIONS`).
   * @default ['PCI_DSS', 'HIPAA', 'NIST_800_53']
   */
  readonly profiles?: readonly string[];
  /**
   * Minimum Log Analytics retention, in days.
   * @default 365
   */
  readonly minLogRetentionDays?: number;
  /**
   * Minimum immutability period of the audit archive, in days.
   * @default 2555 (7 x 365 days)
   */
  readonly minAuditRetentionDays?: number;
  /**
   * Acknowledgments besides those recorded in the configuration's `//` metadata (e.g. when the JSON came from
   * `Testing.synth`, which strips metadata).
   * @default - none
   */
  readonly acknowledgments?: readonly TfAcknowledgment[];
}

/** The check options with every default applied. */
export interface TfRuleContext {
  readonly config: TfConfig;
  readonly resources: readonly TfResource[];
  readonly profiles: readonly string[];
  readonly minLogRetentionDays: number;
  readonly minAuditRetentionDays: number;
}

/** A compliance rule over Terraform JSON: the core rule shape, a pure function per resource returning a verdict with its detail. */
export type TfRule = ComplianceRule<TfResource, TfRuleContext, TfRuleVerdict>;

/** A finding acknowledged next to the resource it concerns, with a reason an assessor would accept. */
export interface TfAcknowledgment {
  readonly ruleId: string;
  /** Terraform address (`type.name`) of the resource. */
  readonly resource: string;
  readonly reason: string;
}

/** One line of `compliance-results.json`. */
export interface TfRuleResult {
  readonly ruleId: string;
  /** Terraform address (`type.name`). */
  readonly resource: string;
  readonly constructPath?: string;
  /** ACKNOWLEDGED: non-compliant with an acknowledgment (reason in `acknowledgment`). */
  readonly status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ACKNOWLEDGED';
  readonly description: string;
  readonly detail?: string;
  readonly controls: TfControls;
  readonly acknowledgment?: { readonly reason: string };
}

/** The result of a pass: every evaluated (rule, resource) pair and the unacknowledged findings among them. */
export interface TfComplianceReport {
  readonly tool: 'secure-api-platform/terraform-compliance';
  readonly version: 1;
  readonly stack?: string;
  readonly profiles: readonly string[];
  readonly rules: readonly { readonly id: string; readonly description: string; readonly controls: TfControls }[];
  readonly results: readonly TfRuleResult[];
  /** The NON_COMPLIANT results: the synth fails when this is not empty. */
  readonly findings: readonly TfRuleResult[];
}
