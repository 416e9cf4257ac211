import { join } from 'node:path';
import { App, Aspects, CfnResource, IAspect, Stack, Stage, Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SecureApiPlatform } from '../../constructs/aws';
import { fixtureSpec } from '../fixtures/platform-spec';

// Where the platform's stacks live, and what reaches them through the platform construct.
const backends = { orders: SecureApiPlatform.lambdaBackend(join(__dirname, '..', '..', 'assets', 'orders-backend')) };
const platformIn = (scope: App | Stage) => new SecureApiPlatform(scope, 'P', { spec: fixtureSpec('aws', { lean: true }), backends });
const names = (stacks: readonly Stack[]) => stacks.map((s) => s.stackName).sort();

/** Records the stack of every L1 resource it visits. */
class StacksVisited implements IAspect {
  public readonly stacks = new Set<string>();
  public visit(node: IConstruct): void {
    if (CfnResource.isCfnResource(node)) this.stacks.add(Stack.of(node).stackName);
  }
}

describe('SecureApiPlatform scope', () => {
  test('its stacks are created in the App given as scope, and platform.stacks lists every one', () => {
    const app = new App();
    const platform = platformIn(app);
    expect(names(platform.stacks)).toEqual(names(app.node.children.filter((c): c is Stack => Stack.isStack(c))));
    expect(names(platform.stacks)).toEqual(expect.arrayContaining(['P-Global', 'P-Keys-eu-west-1', 'P-Region-eu-west-1', 'P-Region-eu-central-1']));
  });

  test('an aspect added to the platform visits the resources of every stack it created', () => {
    const app = new App();
    const platform = platformIn(app);
    const aspect = new StacksVisited();
    Aspects.of(platform).add(aspect);
    app.synth();
    expect([...aspect.stacks].sort()).toEqual(names(platform.stacks));
  });

  test('a tag added to the platform reaches the keys and functions of every stack (Tags are aspects)', () => {
    const app = new App();
    const platform = platformIn(app);
    Tags.of(platform).add('cost-center', 'payments');
    const assembly = app.synth();
    type Resources = Record<string, { Type: string; Properties?: { Tags?: unknown } }>;
    for (const stack of platform.stacks) {
      const resources = Object.values((assembly.getStackByName(stack.stackName).template as { Resources: Resources }).Resources);
      const tagged = resources.filter((r) => r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::Lambda::Function');
      for (const r of tagged) {
        expect({ stack: stack.stackName, type: r.Type, tags: r.Properties?.Tags })
          .toEqual({ stack: stack.stackName, type: r.Type, tags: expect.arrayContaining([{ Key: 'cost-center', Value: 'payments' }]) });
      }
    }
  });

  test('in a Stage, the stacks live in the Stage and the platform\'s aspects still reach them', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod');
    const platform = platformIn(stage);
    const aspect = new StacksVisited();
    Aspects.of(platform).add(aspect);
    const assembly = stage.synth();
    expect(platform.stacks.every((s) => s.node.scope === stage)).toBe(true);
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(names(platform.stacks));
    expect([...aspect.stacks].sort()).toEqual(names(platform.stacks));
  });

  test('a scope that is neither an App nor a Stage is refused, naming what was received', () => {
    const app = new App();
    const stack = new Stack(app, 'Holder');
    expect(() => new SecureApiPlatform(stack, 'P', { spec: fixtureSpec('aws', { lean: true }), backends }))
      .toThrow(/scope must be an App or a Stage.*received: Stack "Holder"/);
  });
});
