import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformResource, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { IConstruct } from 'constructs';
import { TF_ACKNOWLEDGMENTS_KEY, tfAcknowledgmentProblem } from '../../lib/compliance/terraform/acknowledge';
import { checkTerraform, formatFindings } from '../../lib/compliance/terraform/pack';
import { TfCheckOptions, TfComplianceReport, TfConfig } from '../../lib/compliance/terraform/types';
import { PlatformValidationError } from '../../lib/errors';

/** Construct metadata type under which `acknowledgeTf` records an acknowledgment (also written into cdk.tf.json). */
export const TF_ACKNOWLEDGMENT_METADATA = 'secure-api:tf-acknowledged-rule';
/** File written into each stack's folder of cdktf.out. */
export const COMPLIANCE_RESULTS_FILE = 'compliance-results.json';

/**
 * Acknowledges a Terraform compliance finding next to the resource it concerns (or the construct owning it): the
 * rule id and an assessor-grade reason are written into the `//` metadata of each resource under `scope` in
 * cdk.tf.json, where the post-synth pass reads them. Refuses a stack or app scope, unknown rule ids and trivial reasons.
 */
export function acknowledgeTf(scope: IConstruct, ruleId: string, reason: string): void {
  if (TerraformStack.isStack(scope) || App.isApp(scope) || scope.node.scope === undefined) {
    throw new PlatformValidationError(
      `acknowledgeTf(): scope must be the resource (or the construct that owns it) the finding concerns (received: the ${TerraformStack.isStack(scope) ? 'TerraformStack' : 'App'} "${scope.node.path || '<root>'}"); a blanket acknowledgment would hide findings on every other resource`,
    );
  }
  const problem = tfAcknowledgmentProblem(ruleId, reason);
  if (problem) throw new PlatformValidationError(problem, scope);
  const resources = scope.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
  if (resources.length === 0) {
    throw new PlatformValidationError(`acknowledgeTf(${ruleId}): scope holds no Terraform resource (received: "${scope.node.path}"); pass the resource the finding names`, scope);
  }
  scope.node.addMetadata(TF_ACKNOWLEDGMENT_METADATA, { ruleId, reason: reason.trim() });
  for (const r of resources) r.addOverride(`//.${TF_ACKNOWLEDGMENTS_KEY}.${ruleId}`, reason.trim());
}

/** Options of the stack-level compliance pass. */
export interface TerraformComplianceOptions extends TfCheckOptions {
  /**
   * Fail the synth on unacknowledged findings.
   * @default true
   */
  readonly failOnFindings?: boolean;
}

/**
 * The thin cdktf adapter of the Terraform compliance pass (`lib/compliance/terraform`). cdktf 0.21 never runs
 * aspects attached to the App, so the pass is registered on each TerraformStack: as a stack validation (run by
 * `app.synth()` after the stack's aspects, and by `Testing.synth(stack, true)`), and as custom synthesis when
 * validation is skipped (`new App({ skipValidation: true })`). It renders the stack's final Terraform JSON, runs
 * every rule, writes `compliance-results.json` next to `cdk.tf.json`, and fails on unacknowledged findings.
 */
export class TerraformCompliance {
  /** Registers the pass on `stack` (once; a second call returns the first adapter). */
  public static enforce(stack: TerraformStack, options: TerraformComplianceOptions = {}): TerraformCompliance {
    const existing = TerraformCompliance.registry.get(stack);
    if (existing) return existing;
    const adapter = new TerraformCompliance(stack, options);
    TerraformCompliance.registry.set(stack, adapter);
    return adapter;
  }

  private static readonly registry = new WeakMap<TerraformStack, TerraformCompliance>();

  /** The report of the last pass (undefined before the first synth). */
  public lastReport?: TfComplianceReport;
  private validatedAt?: number;

  private constructor(public readonly stack: TerraformStack, private readonly options: TerraformComplianceOptions) {
    stack.node.addValidation({ validate: () => this.run() });
    addCustomSynthesis(stack, {
      onSynthesize: () => {
        // Validation ran in this synth (it always precedes custom synthesis): nothing more to do.
        if (this.validatedAt !== undefined) {
          this.validatedAt = undefined;
          return;
        }
        const errors = this.run();
        this.validatedAt = undefined;
        if (errors.length > 0) throw new PlatformValidationError(errors.join('\n'), stack);
      },
    });
  }

  /** Runs the rules over the stack's Terraform JSON now and returns the report (writes nothing). */
  public check(): TfComplianceReport {
    const config = this.stack.toTerraform() as TfConfig;
    return checkTerraform(config, this.options, this.stack.node.id);
  }

  private run(): string[] {
    const report = this.check();
    this.lastReport = report;
    this.validatedAt = Date.now();
    this.write(report);
    if (this.options.failOnFindings === false) return [];
    return formatFindings(report).map((f) => `Terraform compliance: ${f}`);
  }

  private write(report: TfComplianceReport): void {
    const app = this.stack.node.root;
    if (!App.isApp(app)) return;
    const dir = path.join(app.outdir, 'stacks', this.stack.node.id);
    // The path is built from the app's outdir and a construct id, not from user input.
    // eslint-disable-next-line security/detect-non-literal-fs-filename
    fs.mkdirSync(dir, { recursive: true });
    // eslint-disable-next-line security/detect-non-literal-fs-filename
    fs.writeFileSync(path.join(dir, COMPLIANCE_RESULTS_FILE), `${JSON.stringify(report, null, 2)}\n`);
  }
}

