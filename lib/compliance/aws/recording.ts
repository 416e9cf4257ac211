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

/** Records every result of the rules a pack applies: the reports list what ran, on what, and with what outcome. */
export class RuleRecorder {
  public results: RuleResult[] = [];
  public readonly rules = new Map<string, RuleInfo>();
  private stacks = new WeakMap<Stack, StackInfo>();
  private resources = new WeakMap<CfnResource, ResourceInfo>();
  /** The recording rule of each cdk-nag rule function, by pack and rule suffix (see `wrap`). */
  private readonly wrapped = new Map<IApplyRule['rule'], Array<{ pack: string; suffix: string; rule: IApplyRule['rule'] }>>();

  /** Forgets the previous run's results (the rule catalogue is kept). */
  public reset(): void {
    this.results = [];
    this.stacks = new WeakMap();
    this.resources = new WeakMap();
    for (const r of this.rules.values()) r.notApplicable = 0;
  }

  /** Adds a rule to the catalogue before it runs (so a rule that matched nothing is still listed). */
  public declare(pack: string, params: Pick<IApplyRule, 'ruleSuffixOverride' | 'rule' | 'info' | 'explanation' | 'level'>, extra: { controls?: RuleControls; requirement?: string } = {}): RuleInfo {
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
   * Wraps cdk-nag's apply-rule parameters so the result is recorded before cdk-nag acts on it. cdk-nag applies every
   * rule to every resource, so the recording rule is built once per rule (not per resource × rule) and what a result
   * records of a resource (path, type, resolved logical id, stack, template) is read once per resource.
   */
  public wrap(pack: string, params: IApplyRule, extra?: { controls?: RuleControls; requirement?: string }): IApplyRule {
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    // Called for every rule × resource (millions of times in a large app): a lookup and one object, no spread.
    let uses = this.wrapped.get(params.rule);
    if (uses === undefined) this.wrapped.set(params.rule, uses = []);
    let rule: IApplyRule['rule'] | undefined;
    for (const u of uses) if (u.pack === pack && u.suffix === suffix) rule = u.rule;
    if (rule === undefined) uses.push({ pack, suffix, rule: rule = this.recordingRule(pack, suffix, params, extra ?? {}) });
    return { ruleSuffixOverride: suffix, info: params.info, explanation: params.explanation, level: params.level, node: params.node, rule };
  }

  private recordingRule(pack: string, suffix: string, params: IApplyRule, extra: { controls?: RuleControls; requirement?: string }): IApplyRule['rule'] {
    const ruleId = `${pack}-${suffix}`;
    const record = this.declare(pack, params, extra);
    const original = params.rule;
    return (node: CfnResource): NagRuleResult => {
      let result: NagRuleResult;
      try {
        result = original(node);
      } catch (e) {
        this.add(record, ruleId, node, 'error', e instanceof Error ? e.message : String(e));
        throw e;
      }
      if (result === NagRuleCompliance.NOT_APPLICABLE) {record.notApplicable++;} else if (result === NagRuleCompliance.COMPLIANT) {this.add(record, ruleId, node, 'pass');} else if (result === NagRuleCompliance.NON_COMPLIANT) {this.add(record, ruleId, node, 'fail');} else if (Array.isArray(result)) {
        if (result.length === 0) this.add(record, ruleId, node, 'pass');
        for (const finding of result) this.add(record, `${ruleId}[${finding}]`, node, 'fail');
      }
      return result;
    };
  }

  private add(info: RuleInfo, ruleId: string, node: CfnResource, status: RuleStatus, message?: string): void {
    const ack = status === 'fail' || status === 'error' ? findAcknowledgment(node, ruleId) : undefined;
    const where = this.resourceInfo(node);
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

  /** What a result records of its resource, read once per resource and run (resolving the logical id is a token resolution). */
  private resourceInfo(node: CfnResource): ResourceInfo {
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
    super.applyRule(this.recorder.wrap(this.readPackName, params));
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
    super.applyRule(this.recorder.wrap(this.readPackName, params));
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
    super.applyRule(this.recorder.wrap(this.readPackName, params));
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
    super.applyRule(this.recorder.wrap(this.readPackName, params));
  }
}

