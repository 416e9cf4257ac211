import { App, Aspects, attachCustomSynthesis, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stage, Validations } from 'aws-cdk-lib';
import { NagPack, NagPackProps, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { DemoMode } from '../evidence';
import { SecureApiChecks } from './platform-pack';
import { IRecordingPack, isRecordingPack, RecordingAwsSolutionsChecks, ResourceFacts, RecordingHIPAASecurityChecks, RecordingNIST80053R5Checks, RecordingPCIDSS321Checks } from './recording';
import { ComplianceReporter } from './reporter';
import { PublicRouteRef, ruleContext } from './rule';
import { ResolvedSpec, resolveSpec } from '../../spec/resolve';
import { COMPLIANCE_PROFILES, ComplianceProfile, PlatformSpec } from '../../spec/types';
import { removeReports } from '../report/render';

/** The cdk-nag pack each profile selects (subclassed so every rule result is recorded for the reports). */
export const PROFILE_PACKS: Readonly<Record<ComplianceProfile, (scope: IConstruct, props: NagPackProps) => NagPack & IRecordingPack>> = {
  AWS_SOLUTIONS: (s, p) => new RecordingAwsSolutionsChecks(s, p),
  HIPAA: (s, p) => new RecordingHIPAASecurityChecks(s, p),
  PCI_DSS: (s, p) => new RecordingPCIDSS321Checks(s, p),
  NIST_800_53: (s, p) => new RecordingNIST80053R5Checks(s, p),
};

export interface EnforceOptions {
  /**
   * The profiles whose packs run. AWS Solutions is always added: it is the baseline for every profile.
   * @default - the spec's profiles (`spec.compliance`); one of `profiles` or `spec` is needed
   */
  readonly profiles?: readonly ComplianceProfile[];
  /**
   * The platform spec: the platform pack reads its public routes, mTLS domains, TLS policy and profile minimums.
   * @default - no spec: the platform pack runs with no public routes and the profiles' minimums
   */
  readonly spec?: PlatformSpec | ResolvedSpec;
  /**
   * Public routes besides the spec's (for apps that do not use a spec).
   * @default - none
   */
  readonly publicRoutes?: readonly PublicRouteRef[];
  /**
   * Run the platform's own pack (`SecureApi-*`).
   * @default true
   */
  readonly platformPack?: boolean;
  /**
   * Write the evidence and the reports (SARIF, JUnit, Markdown, HTML) into `<cdk.out>/compliance/` at every synth.
   * @default true
   */
  readonly reports?: boolean;
  /**
   * Print the one-line verdict (and the report's path) at every synth, e.g.
   * `compliance: FAIL: 1 unacknowledged finding (1 error); 12 acknowledged; 240 passed in 3 stacks; report: cdk.out/compliance/compliance-report.html`.
   * @default - to standard error
   */
  readonly printVerdict?: boolean | ((line: string) => void);
  /**
   * Explanations in every finding.
   * @default true
   */
  readonly verbose?: boolean;
  /**
   * Further validation plugins to run beside the packs (e.g. a team's own NagPack; a recording pack's results
   * appear in the reports).
   * @default - none
   */
  readonly additionalPlugins?: IPolicyValidationPlugin[];
}

/** Compliance from the first synth: the packs of the chosen profiles, failing synth on any unacknowledged finding. */
export class Compliance {
  /**
   * Registers the packs on the app: cdk-nag's packs of the profiles, then the platform pack, then the additional
   * plugins, then the evidence reporter. cdk-nag v3 packs are CDK validation plugins: `cdk synth` fails
   * («ValidationFailed», report in cdk.out) on any finding not acknowledged with `acknowledge()`.
   * CDK invokes an app's plugins in registration order after writing the templates, so the reporter, registered
   * last, sees every result and writes `<cdk.out>/compliance/` even when the synth then fails.
   * Acknowledgments are also written into each template's resource metadata (`cdk_nag.rules_to_suppress`);
   * that aspect does not cross Stage boundaries, so it is registered on the app and on every Stage.
   * Returns the packs, in the order they run.
   */
  public static enforce(app: IConstruct, options: EnforceOptions): NagPack[] {
    const specProfiles = options.spec ? ('minimums' in options.spec ? options.spec.profiles : options.spec.compliance) : [];
    const profiles = Compliance.packProfiles([...(options.profiles ?? []), ...specProfiles]);
    const props: NagPackProps = { verbose: options.verbose ?? true };
    const packs: NagPack[] = profiles.map((p) => PROFILE_PACKS[p](app, props));
    const contextInput = { spec: options.spec, profiles, publicRoutes: options.publicRoutes };
    const platform = options.platformPack === false ? undefined : new SecureApiChecks(app, { ...props, ...contextInput });
    if (platform) packs.push(platform);
    // The packs run one after the other in each synth: the first reads each resource's facts, the others reuse them.
    const facts = new ResourceFacts();
    packs.filter((p): p is NagPack & IRecordingPack => isRecordingPack(p)).forEach((p, i) => p.recorder.shareFacts(facts, i === 0));
    const additional = options.additionalPlugins ?? [];
    const plugins: IPolicyValidationPlugin[] = [...packs, ...additional].map((p) => new WithAcknowledgeFix(p));
    if (options.reports ?? true) {
      const recording = [...packs, ...additional].filter(isRecordingPack);
      const context = platform?.context ?? ruleContext(contextInput);
      const print = options.printVerdict === false ? () => undefined : typeof options.printVerdict === 'function' ? options.printVerdict : undefined;
      plugins.push(new ComplianceReporter({ packs: () => recording, context, platform: options.spec?.name, demo: demoOf(options.spec), print }));
      Compliance.cleanStaleReports(app);
    }
    Validations.of(app).addPlugins(...plugins);
    for (const scope of [app, ...app.node.findAll().filter((c) => Stage.isStage(c))]) {
      Aspects.of(scope).add(new WriteNagSuppressionsToCloudFormationAspect());
    }
    return packs;
  }

  /** The profiles whose packs run for `profiles`: AWS Solutions first, then the rest, each once. */
  public static packProfiles(profiles: readonly ComplianceProfile[]): ComplianceProfile[] {
    const order = COMPLIANCE_PROFILES;
    const chosen = new Set<ComplianceProfile>(['AWS_SOLUTIONS', ...profiles]);
    return order.filter((p) => chosen.has(p));
  }

  /**
   * Deletes an earlier synth's reports while the assembly is written, before any plugin runs: plugins then only
   * create files, which an app with `confirmValidationPluginsDoNotMutate` accepts.
   */
  private static cleanStaleReports(app: IConstruct): void {
    if (!App.isApp(app) || app.node.tryFindChild(CLEANER_ID)) return;
    const cleaner = new Construct(app, CLEANER_ID);
    attachCustomSynthesis(cleaner, { onSynthesize: (session) => removeReports(session.outdir) });
  }
}

const CLEANER_ID = 'SecureApiComplianceEvidence';

/** Demo mode of a spec: a lean configuration whose audit archive keeps records one day under GOVERNANCE lock. */
function demoOf(spec: PlatformSpec | ResolvedSpec | undefined): DemoMode | undefined {
  if (!spec) return undefined;
  const resolved = 'minimums' in spec ? spec : resolveSpec(spec);
  return resolved.audit.demo
    ? { reason: `audit.demo is set: the audit archive keeps records ${resolved.audit.retentionDays} day(s) under ${resolved.audit.objectLockMode} Object Lock, not the ${resolved.audit.retentionYears} years the profiles require; this evidence does not describe a production configuration` }
    : undefined;
}

/**
 * A pack as CDK runs it, with a suggested fix on every violation that has none: fix the resource, or acknowledge the
 * finding with `acknowledge(…)` (which also takes the `Pack::Rule` form CDK prints after "Acknowledge with").
 */
class WithAcknowledgeFix implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly inner: IPolicyValidationPlugin) {
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.inner.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => (v.fix !== undefined ? v : {
        ...v,
        fix: `fix the resource, or acknowledge the finding next to it: acknowledge(<the construct at ${v.violatingResources[0]?.constructPath ?? 'the resource'}>, '${v.ruleName}', '<why an assessor should accept it>') from secure-api-platform`,
      })),
    };
  }
}
