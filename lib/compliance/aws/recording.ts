import * as path from 'node:path';
import { CfnResource, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, IApplyRule, NagMessageLevel, NagRuleCompliance, NagRuleResult, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { acknowledgmentCondition } from './acknowledge';
import { RuleControls, RuleInfo, RuleResult, RuleStatus } from '../recording';

const LEVEL: Record<NagMessageLevel, RuleInfo['level']> = { [NagMessageLevel.ERROR]: 'error', [NagMessageLevel.WARN]: 'warning', [NagMessageLevel.INFO]: 'info' };

/** Control ids from a cdk-nag rule's info text: `... - (Control IDs: 164.312(b), 164.312(e)(1)).` */
export function controlIdsFromInfo(info: string): string[] {
  const m = /\(Control IDs?: (.*)\)\.?\s*$/.exec(info);
  return m ? m[1].split(/,\s*/).map((s) => s.trim()).filter((s) => s.length > 0) : [];
}

function controlsOfStandardPack(pack: string, info: string): RuleControls {
  const ids = controlIdsFromInfo(info);
  if (pack === 'HIPAA.Security') return { hipaa: ids };
  if (pack === 'PCI.DSS.321') return { pci321: ids };
  if (pack === 'NIST.800.53.R5') return { nist: ids };
  return {};
}

/** The acknowledgment of `ruleId` on `node` or its nearest ancestor, as cdk-nag and CDK look it up. */
export function findAcknowledgment(node: IConstruct, ruleId: string): { reason: string; at: string; condition?: string } | undefined {
  let current: IConstruct | undefined = node;
  while (current) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        if (key.replace(/^annotation::/i, '') === ruleId) {
          return { reason: typeof reason === 'string' ? reason : '', at: current.node.path, condition: acknowledgmentCondition(current, ruleId) };
        }
      }
    }
    current = current.node.scope;
  }
  return undefined;
}

interface StackInfo {
  readonly stack: string;
  readonly template?: string;
}

interface ResourceInfo extends StackInfo {
  readonly constructPath: string;
  readonly resourceType: string;
  readonly logicalId: string;
}

/**
 * What results record of each resource (path, type, resolved logical id, stack, template), read once per resource and
 * validation run. Resolving a logical id is a token resolution (a hash of the construct path): the packs of one
 * `Compliance.enforce` share one `ResourceFacts`, so each resource is resolved once per synth, not once per pack.
 */
export class ResourceFacts {
  private stacks = new WeakMap<Stack, StackInfo>();
  private resources = new WeakMap<CfnResource, ResourceInfo>();

  /** Forgets every resource (the tree may have changed since the last run). */
  public clear(): void {
    this.stacks = new WeakMap();
    this.resources = new WeakMap();
  }

  public of(node: CfnResource): ResourceInfo {
    let info = this.resources.get(node);
    if (!info) {
      const stack = Stack.of(node);
      const logicalId = stack.resolve(node.logicalId) as string;
      info = { ...this.stackInfo(stack), constructPath: node.node.path, resourceType: node.cfnResourceType, logicalId };
      this.resources.set(node, info);
    }
    return info;
  }

  private stackInfo(stack: Stack): StackInfo {
    let info = this.stacks.get(stack);
    if (!info) {
      let template: string | undefined;
      try {
        const root = stack.node.root;
        const rootOut = Stage.isStage(root) ? root.outdir : undefined;
        const stage = Stage.of(stack);
        template = rootOut && stage ? path.relative(rootOut, path.join(stage.outdir, stack.templateFile)).split(path.sep).join('/') : stack.templateFile;
      } catch {
        template = undefined;
      }
      info = { stack: stack.node.path, template };
      this.stacks.set(stack, info);
    }
    return info;
  }
}

/** A rule as the recorder runs it: its id, its catalogue entry, and the cdk-nag rule function. */
interface RecordedRule {
  readonly pack: string;
  readonly suffix: string;
  readonly ruleId: string;
  readonly record: RuleInfo;
  readonly original: IApplyRule['rule'];
}

/** Records every result of the rules a pack applies: the reports list what ran, on what, and with what outcome. */
export class RuleRecorder {
  public results: RuleResult[] = [];
  public readonly rules = new Map<string, RuleInfo>();
  private facts = new ResourceFacts();
  /** Whether `facts` is this recorder's own (cleared at each `reset`) or shared, cleared by the run's first pack. */
  private factsRole: 'own' | 'leader' | 'member' = 'own';
  /** The recorded rule of each cdk-nag rule function, by pack and rule suffix. */
  private readonly recorded = new Map<IApplyRule['rule'], RecordedRule[]>();

  /**
   * Reads resource facts from `facts`, shared with the other packs of the same validation run. The run's first pack
   * (`leader`) clears them at its `reset`, so every run reads the tree afresh.
   */
  public shareFacts(facts: ResourceFacts, leader: boolean): void {
    this.facts = facts;
    this.factsRole = leader ? 'leader' : 'member';
  }

  /** Forgets the previous run's results (the rule catalogue is kept). */
  public reset(): void {
    this.results = [];
    if (this.factsRole !== 'member') this.facts.clear();
    for (const r of this.rules.values()) r.notApplicable = 0;
  }

  /** Adds a rule to the catalogue before it runs (so a rule that matched nothing is still listed). */
  public declare(
    pack: string, params: Pick<IApplyRule, 'ruleSuffixOverride' | 'rule' | 'info' | 'explanation' | 'level'>, extra: { controls?: RuleControls; requirement?: string } = {},
  ): RuleInfo {
    const ruleId = `${pack}-${params.ruleSuffixOverride ?? params.rule.name}`;
    let info = this.rules.get(ruleId);
    if (!info) {
      info = {
        id: ruleId,
        pack,
        info: params.info,
        explanation: params.explanation,
        level: LEVEL[params.level] ?? 'error',
        controls: extra.controls ?? controlsOfStandardPack(pack, params.info),
        requirement: extra.requirement,
        notApplicable: 0,
      };
      this.rules.set(ruleId, info);
    }
    return info;
  }

  /**
   * Runs one rule on one resource and records the result, and returns what cdk-nag still has to see:
   * nothing for a pass or a not-applicable result (on which cdk-nag does nothing), otherwise the rule's parameters
   * with a rule that gives cdk-nag the same result (or throws the same error) without running the rule again. cdk-nag
   * then reports or acknowledges the finding as it would have. Called for every rule × resource (millions of times in
   * a large app): a lookup and no allocation on the common path.
   */
  public run(pack: string, params: IApplyRule, extra?: { controls?: RuleControls; requirement?: string }): IApplyRule | undefined {
    const r = this.recordedRule(pack, params, extra);
    let result: NagRuleResult;
    try {
      result = this.runRecorded(r, params.node);
    } catch (e) {
      return this.replay(r, params, () => {
        throw e;
      });
    }
    const finding = result === NagRuleCompliance.NON_COMPLIANT || (Array.isArray(result) && result.length > 0);
    return finding ? this.replay(r, params, () => result) : undefined;
  }

  /** cdk-nag's parameters of the rule, with `rule` in place of the rule function. */
  private replay(r: RecordedRule, params: IApplyRule, rule: IApplyRule['rule']): IApplyRule {
    return { ruleSuffixOverride: r.suffix, info: params.info, explanation: params.explanation, level: params.level, node: params.node, rule };
  }

  private recordedRule(pack: string, params: IApplyRule, extra: { controls?: RuleControls; requirement?: string } | undefined): RecordedRule {
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    let uses = this.recorded.get(params.rule);
    if (uses === undefined) this.recorded.set(params.rule, uses = []);
    for (const u of uses) if (u.pack === pack && u.suffix === suffix) return u;
    const recorded: RecordedRule = { pack, suffix, ruleId: `${pack}-${suffix}`, record: this.declare(pack, params, extra ?? {}), original: params.rule };
    uses.push(recorded);
    return recorded;
  }

  /** Runs the rule on `node` and records its result, or its error (thrown again). */
  private runRecorded(r: RecordedRule, node: CfnResource): NagRuleResult {
    let result: NagRuleResult;
    try {
      result = r.original(node);
    } catch (e) {
      this.add(r.record, r.ruleId, node, 'error', e instanceof Error ? e.message : String(e));
      throw e;
    }
    if (result === NagRuleCompliance.NOT_APPLICABLE) {
      r.record.notApplicable++;
    } else if (result === NagRuleCompliance.COMPLIANT) {
      this.add(r.record, r.ruleId, node, 'pass');
    } else if (result === NagRuleCompliance.NON_COMPLIANT) {
      this.add(r.record, r.ruleId, node, 'fail');
    } else if (Array.isArray(result)) {
      if (result.length === 0) this.add(r.record, r.ruleId, node, 'pass');
      for (const finding of result) this.add(r.record, `${r.ruleId}[${finding}]`, node, 'fail');
    }
    return result;
  }

  private add(info: RuleInfo, ruleId: string, node: CfnResource, status: RuleStatus, message?: string): void {
    const ack = status === 'fail' || status === 'error' ? findAcknowledgment(node, ruleId) : undefined;
    const where = this.facts.of(node);
    this.results.push({
      pack: info.pack,
      ruleId,
      rule: info.id,
      status: ack ? 'acknowledged' : status,
      level: info.level,
      constructPath: where.constructPath,
      resourceType: where.resourceType,
      logicalId: where.logicalId,
      stack: where.stack,
      template: where.template,
      reason: ack?.reason,
      acknowledgedAt: ack?.at,
      condition: ack?.condition,
      message,
    });
  }
}

/** A pack whose rule results are recorded for the reports. */
export interface IRecordingPack extends IPolicyValidationPlugin {
  readonly recorder: RuleRecorder;
  readonly readPackName: string;
}

export function isRecordingPack(x: unknown): x is IRecordingPack {
  return typeof x === 'object' && x !== null && (x as { recorder?: unknown }).recorder instanceof RuleRecorder;
}

/** cdk-nag's AWS Solutions pack, recording every rule result. */
export class RecordingAwsSolutionsChecks extends AwsSolutionsChecks implements IRecordingPack {
  public readonly recorder = new RuleRecorder();
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.recorder.reset();
    return super.validateScope(scope);
  }
  protected applyRule(params: IApplyRule): void {
    const finding = this.recorder.run(this.readPackName, params);
    if (finding) super.applyRule(finding);
  }
}

/** cdk-nag's HIPAA Security pack, recording every rule result. */
export class RecordingHIPAASecurityChecks extends HIPAASecurityChecks implements IRecordingPack {
  public readonly recorder = new RuleRecorder();
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.recorder.reset();
    return super.validateScope(scope);
  }
  protected applyRule(params: IApplyRule): void {
    const finding = this.recorder.run(this.readPackName, params);
    if (finding) super.applyRule(finding);
  }
}

/** cdk-nag's PCI DSS 3.2.1 pack, recording every rule result. */
export class RecordingPCIDSS321Checks extends PCIDSS321Checks implements IRecordingPack {
  public readonly recorder = new RuleRecorder();
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.recorder.reset();
    return super.validateScope(scope);
  }
  protected applyRule(params: IApplyRule): void {
    const finding = this.recorder.run(this.readPackName, params);
    if (finding) super.applyRule(finding);
  }
}

/** cdk-nag's NIST 800-53 R5 pack, recording every rule result. */
export class RecordingNIST80053R5Checks extends NIST80053R5Checks implements IRecordingPack {
  public readonly recorder = new RuleRecorder();
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.recorder.reset();
    return super.validateScope(scope);
  }
  protected applyRule(params: IApplyRule): void {
    const finding = this.recorder.run(this.readPackName, params);
    if (finding) super.applyRule(finding);
  }
}

