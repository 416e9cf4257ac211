import { App, Aspects, attachCustomSynthesis, IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import { NagPack, NagPackProps, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { SecureApiChecks } from './platform-pack';
import { IRecordingPack, isRecordingPack, RecordingAwsSolutionsChecks, RecordingHIPAASecurityChecks, RecordingNIST80053R5Checks, RecordingPCIDSS321Checks } from './recording';
import { removeReports } from './report/render';
import { ComplianceReporter } from './reporter';
import { PublicRouteRef, ruleContext } from './rule';
import { ResolvedSpec } from '../spec/resolve';
import { ComplianceProfile, PlatformSpec } from '../spec/types';

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
    const additional = options.additionalPlugins ?? [];
    const plugins: IPolicyValidationPlugin[] = [...packs, ...additional];
    if (options.reports ?? true) {
      const recording = [...packs, ...additional].filter(isRecordingPack);
      const context = platform?.context ?? ruleContext(contextInput);
      plugins.push(new ComplianceReporter({ packs: () => recording, context, platform: options.spec?.name }));
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
    const order: ComplianceProfile[] = ['AWS_SOLUTIONS', 'HIPAA', 'PCI_DSS', 'NIST_800_53'];
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
