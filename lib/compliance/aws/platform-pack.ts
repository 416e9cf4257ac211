import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { IApplyRule, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { IRecordingPack, RuleRecorder } from './recording';
import { RuleControls } from '../recording';
import { ruleName } from '../rule';
import { PLATFORM_PACK_NAME, PlatformRule, RuleContext, ruleContext, RuleContextInput, withTemplates } from './rule';
import { platformRulesFor } from './rules';
import { ComplianceProfile } from '../../spec/types';

export interface SecureApiChecksProps extends NagPackProps, RuleContextInput {
  /**
   * Run only these rules (by name, e.g. `ApiMethodAuthorizer`), e.g. to test one rule.
   * @default - every rule the profiles select
   */
  readonly only?: readonly string[];
}

/**
 * The platform's own cdk-nag pack (`SecureApi-<Rule>`): what makes an API platform secure, which cdk-nag's generic
 * packs do not check. Profiles select the rules (a rule runs when it maps to a selected framework; AWS Solutions is the
 * baseline, as in `Compliance.enforce`); the spec supplies public routes, mTLS domains and minimums.
 */
export class SecureApiChecks extends NagPack implements IRecordingPack {
  public readonly name = 'SecureApi';
  public readonly recorder = new RuleRecorder();
  /** The rules this pack applies, in order. */
  public readonly rules: readonly PlatformRule[];
  public readonly context: RuleContext;

  /** One check function per rule (see asApplyRule). */
  private readonly checks = new Map<PlatformRule, IApplyRule['rule']>();

  constructor(scope?: IConstruct, props: SecureApiChecksProps = {}) {
    super(scope, props);
    this.packName = PLATFORM_PACK_NAME;
    this.context = ruleContext(props);
    // AWS Solutions is the baseline of every profile, as in Compliance.enforce.
    const profiles = [...new Set<ComplianceProfile>(['AWS_SOLUTIONS', ...this.context.profiles])];
    const selected = platformRulesFor(profiles);
    this.rules = props.only ? selected.filter((r) => props.only?.includes(ruleName(r))) : selected;
  }

  /** CDK's call after synthesis: the rules read the templates CDK wrote (and hands over in `context`). */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return withTemplates(() => super.validate(context), context);
  }

  /** A direct validation (tests, tools): the rules read the templates of one fresh synthesis of the scope's stage. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.recorder.reset();
    for (const rule of this.rules) this.recorder.declare(this.packName, this.asApplyRule(rule), this.extra(rule));
    return withTemplates(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of this.rules) {
      // Matching on type, not on the L1 class: CDK's helper Lambdas are plain CfnResources.
      if (!rule.resourceTypes.includes(node.cfnResourceType)) continue;
      const finding = this.recorder.run(this.packName, this.asApplyRule(rule, node), this.extra(rule));
      if (finding) this.applyRule(finding);
    }
  }

  private asApplyRule(rule: PlatformRule, node?: CfnResource): IApplyRule {
    const { info, explanation, level } = rule;
    let check = this.checks.get(rule);
    if (!check) {
      // One function per rule (not per resource): the recorder keeps one recording rule per rule function.
      check = (n: CfnResource): NagRuleCompliance => rule.check(n, this.context);
      this.checks.set(rule, check);
    }
    return { ruleSuffixOverride: ruleName(rule), info, explanation, level, node: node as CfnResource, rule: check };
  }

  private extra(rule: PlatformRule): { controls: RuleControls; requirement: string } {
    return { controls: rule.controls, requirement: rule.requirement };
  }
}
