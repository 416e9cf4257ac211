/**
 * The cloud-neutral vocabulary of the compliance rules, read by both packs (AWS `SecureApi-*`, Terraform
 * `SecureApiAz-*`) and by the reports. Nothing here imports aws-cdk-lib, cdk-nag or cdktf.
 */
import { HttpMethod } from '../spec/types';

/** A route the spec serves without authorization, with the reason the report shows. */
export interface PublicRouteRef {
  readonly method: HttpMethod;
  /** Resource path, e.g. `/health` (matched with or without the API's `/v1` base path). */
  readonly path: string;
  /** @default - none given */
  readonly reason?: string;
  /** @default - any API */
  readonly api?: string;
  /** @default - any version */
  readonly version?: string;
}

/** Control ids of the frameworks the platform reports against: the same ids in both packs, so one report speaks one assessor's language. */
export interface ControlMapping {
  /** PCI DSS 4.0 requirements. */
  readonly pci: readonly string[];
  /** HIPAA Security Rule paragraphs (45 CFR 164.312; 164.308/164.316 for the Terraform pack's governance rules). */
  readonly hipaa: readonly string[];
  /** NIST SP 800-53 Rev. 5 controls. */
  readonly nist: readonly string[];
}

/**
 * One compliance rule, the same shape in both packs (cdk-nag's `src/rules/*`: one rule per file, a pure function over
 * one resource). The AWS pack's rules check an L1 `CfnResource` and return cdk-nag's compliance; the Terraform pack's
 * check one resource of `cdk.tf.json` and return a verdict with its detail. Each cloud adds only what its engine needs.
 */
export interface ComplianceRule<TResource, TContext, TVerdict> {
  /** `<Pack>-<Name>` (`SecureApi-KmsKeyRotation`, `SecureApiAz-ApimTls`): what findings and acknowledgments name. */
  readonly id: string;
  /** The requirement, in one line. */
  readonly requirement: string;
  /** The controls the rule evidences: one of the named sets of `controls.ts` (`CONTROL_SETS`). */
  readonly controls: ControlMapping;
  /** Resource types the rule checks; other resources are not passed to it. */
  readonly resourceTypes: readonly string[];
  /** A pure function over one resource (and the pack's context). */
  readonly check: (resource: TResource, context: TContext) => TVerdict;
}

/** The rule's name: its id without the pack prefix (`SecureApi-KmsKeyRotation` → `KmsKeyRotation`). */
export function ruleName(rule: Pick<ComplianceRule<unknown, unknown, unknown>, 'id'>): string {
  return rule.id.slice(rule.id.indexOf('-') + 1);
}

/** The file a rule lives in, in both packs: `rules/<its name in kebab case>.ts` (`KmsKeyRotation` → `kms-key-rotation.ts`). */
export function ruleFileName(rule: Pick<ComplianceRule<unknown, unknown, unknown>, 'id'>): string {
  return `${ruleName(rule).replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
}
