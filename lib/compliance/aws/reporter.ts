import * as path from 'node:path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stage } from 'aws-cdk-lib';
import { collectEvidence } from './evidence';
import { DemoMode } from '../evidence';
import { IRecordingPack } from './recording';
import { RuleContext } from './rule';
import { REPORT_DIR, REPORT_FILES, writeReports } from '../report/render';
import { verdictOf } from '../report/verdict';

export interface ComplianceReporterProps {
  /** The recording packs whose results the reports show (they must run before the reporter). */
  readonly packs: () => readonly IRecordingPack[];
  readonly context: RuleContext;
  /** @default - none */
  readonly platform?: string;
  /**
   * Set for a demo (lean) configuration: the reports and the verdict line say so.
   * @default - not a demo
   */
  readonly demo?: DemoMode;
  /**
   * Where the one-line verdict goes at every synth (with the report's path).
   * @default - standard error
   */
  readonly print?: (line: string) => void;
}

/** Rule id of the reporter's own check: every acknowledgment carries a reason. */
export const ACK_REASON_RULE_ID = 'SecureApi-AcknowledgmentReason';

/**
 * A validation plugin registered after the packs: CDK runs an app's plugins in registration order after the
 * templates are written, so at this point every pack has recorded its results. It writes the evidence and the
 * reports into `<cdk.out>/compliance/`, prints the one-line verdict with the report's path, and fails on any
 * acknowledgment without a reason.
 */
export class ComplianceReporter implements IPolicyValidationPlugin {
  public readonly name = 'SecureApi.Evidence';
  public readonly version = '1';
  /** Where the last run wrote the reports. */
  public lastReportDir?: string;
  /** The last run's verdict line. */
  public lastVerdict?: string;

  constructor(private readonly props: ComplianceReporterProps) {}

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const bundle = collectEvidence(root, this.props.packs(), this.props.context, { platform: this.props.platform, demo: this.props.demo });
    let report: string | undefined;
    if (Stage.isStage(root)) {
      writeReports(root.outdir, bundle);
      this.lastReportDir = root.outdir;
      const html = path.join(root.outdir, REPORT_DIR, REPORT_FILES.html);
      const rel = path.relative(process.cwd(), html);
      report = rel.startsWith('..') ? html : rel;
    }
    this.lastVerdict = verdictOf(bundle, { report }).line;
    (this.props.print ?? ((line: string) => process.stderr.write(`${line}\n`)))(this.lastVerdict);
    const missing = bundle.acknowledgments.filter((a) => a.reason.trim().length === 0);
    const violations: PolicyViolation[] = missing.length === 0 ? [] : [{
      ruleName: ACK_REASON_RULE_ID,
      description: 'An acknowledgment has no reason. Acknowledge with acknowledge(scope, ruleId, reason) and say why an assessor should accept it.',
      fix: 'acknowledge(<the construct>, \'<Pack-Rule>\', \'<why an assessor should accept it>\') in place of the reason-less acknowledgment',
      severity: 'error',
      violatingResources: missing.map((a) => ({ constructPath: a.constructPath, locations: [a.ruleId] })),
    }];
    return { success: violations.length === 0, violations };
  }
}
