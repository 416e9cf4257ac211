import { Aspects, IPolicyValidationPlugin, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NagPackProps, NIST80053R5Checks, PCIDSS321Checks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ComplianceProfile } from '../spec/types';

/** The cdk-nag pack each profile selects. */
export const PROFILE_PACKS: Readonly<Record<ComplianceProfile, (scope: IConstruct, props: NagPackProps) => NagPack>> = {
  AWS_SOLUTIONS: (s, p) => new AwsSolutionsChecks(s, p),
  HIPAA: (s, p) => new HIPAASecurityChecks(s, p),
  PCI_DSS: (s, p) => new PCIDSS321Checks(s, p),
  NIST_800_53: (s, p) => new NIST80053R5Checks(s, p),
};

export interface EnforceOptions {
  /** The profiles whose packs run. AWS Solutions is always added: it is the baseline for every profile. */
  readonly profiles: readonly ComplianceProfile[];
  /**
   * Explanations in every finding.
   * @default true
   */
  readonly verbose?: boolean;
  /**
   * Further validation plugins to run beside the packs (e.g. a team's own NagPack).
   * @default - none
   */
  readonly additionalPlugins?: IPolicyValidationPlugin[];
}

/** Compliance from the first synth: the packs of the chosen profiles, failing synth on any unacknowledged finding. */
export class Compliance {
  /**
   * Registers the packs on the app. cdk-nag v3 packs are CDK validation plugins: `cdk synth` fails
   * («ValidationFailed», report in cdk.out) on any finding not acknowledged with `acknowledge()`.
   * Acknowledgments are also written into each template's resource metadata (`cdk_nag.rules_to_suppress`);
   * that aspect does not cross Stage boundaries, so it is registered on the app and on every Stage.
   * Returns the packs, in the order they run.
   */
  public static enforce(app: IConstruct, options: EnforceOptions): NagPack[] {
    const profiles = Compliance.packProfiles(options.profiles);
    const props: NagPackProps = { verbose: options.verbose ?? true };
    const packs = profiles.map((p) => PROFILE_PACKS[p](app, props));
    Validations.of(app).addPlugins(...packs, ...(options.additionalPlugins ?? []));
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
}
