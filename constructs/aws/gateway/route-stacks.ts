import { CfnElement, FeatureFlags, Names, NestedStack, NestedStackProps } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { LAMBDA_PERMISSION_STATEMENT_BYTES, LIMIT_NAMES } from '../../../lib/spec/contracts/limits';
import { exceeds, RouteLayout } from '../../../lib/spec/contracts/route-layout';

/**
 * A nested stack of routes.
 *
 * CDK records a creation stack (a source-mapped stack trace) for every resource; here they are off, as the
 * `aws:cdk:disable-creation-stack-traces` context turns them off (CDK_DEBUG turns them on again): hundreds of path
 * resources, methods and models per stack were created by the same lines, and the compliance evidence gives each the
 * source line that created its nested stack.
 *
 * CDK computes an element's logical id (a hash of its construct path) again at every resolution of a reference to it,
 * and a template of routes is resolved several times per synth (references, the template asset's hash, the template,
 * the tree): this stack allocates each id once. The id is the one CDK allocates (a construct's path never changes) and
 * `renameLogicalId` and `overrideLogicalId` still apply.
 */
class RouteNestedStack extends NestedStack {
  private readonly logicalIds = new WeakMap<CfnElement, string>();
  /** The template rendered for the template asset's hash, until the template file takes it. */
  private prepared: unknown;
  private preparing = false;

  constructor(scope: Construct, id: string, props: NestedStackProps) {
    super(scope, id, props);
    this.node.setContext(cxapi.DISABLE_CREATION_STACK_TRACES, true);
  }

  /**
   * CDK renders a nested stack's template twice: in its prepare phase, to hash it for the template asset, and again to
   * write the file, with nothing able to change it between (the hash names the file the parent deploys). The file
   * takes the render the hash was made from.
   */
  public _prepareTemplateAsset(): boolean {
    this.preparing = true;
    try {
      return super._prepareTemplateAsset();
    } finally {
      this.preparing = false;
    }
  }

  protected _toCloudFormation(): unknown {
    if (this.preparing) return this.prepared = super._toCloudFormation();
    const prepared = this.prepared;
    this.prepared = undefined;
    return prepared ?? super._toCloudFormation();
  }

  protected allocateLogicalId(element: CfnElement): string {
    let id = this.logicalIds.get(element);
    if (id === undefined) this.logicalIds.set(element, id = super.allocateLogicalId(element));
    return id;
  }
}

/**
 * Places the path resources, methods, models and preflights of a large API in nested stacks, following the spec's
 * route layout (`planRouteLayout`): whole path subtrees per nested stack, each working on the REST API imported by id,
 * and the API's one Deployment in the parent depending on every nested stack (its logical id changes with the
 * routes, so a change of a route redeploys the stage). A small API keeps everything in its own stack.
 */
export class RouteStacks {
  /** The nested stacks, in layout order (none for a small API). */
  public readonly stacks: NestedStack[] = [];
  /** Each path placed in a nested stack: the stack, the API imported there and the resource its subtree hangs from. */
  private readonly byPath = new Map<string, { stack: NestedStack; api: apigw.IRestApi; anchorPath: string; anchor: apigw.IResource }>();

  /**
   * `routes`: what renders into the methods (the resolved routes), added to the Deployment's logical id when nested
   * stacks hold methods, since CDK only tracks the methods of the API's own stack.
   */
  constructor(private readonly owner: Construct, private readonly api: apigw.RestApi, layout: RouteLayout, description: string, routes: unknown) {
    layout.stacks.forEach((plan, i) => {
      const stack = new RouteNestedStack(owner, `Routes${i + 1}`, {
        description: `${description}: routes ${plan.units.map((u) => u.path).join(', ').slice(0, 900)}`,
      });
      const imported = apigw.RestApi.fromRestApiAttributes(stack, 'Api', { restApiId: api.restApiId, rootResourceId: api.restApiRootResourceId });
      const anchors = new Map<string, apigw.IResource>([['/', imported.root]]);
      for (const unit of plan.units) {
        let anchor = anchors.get(unit.anchor);
        if (!anchor) {
          // A subtree below a resource kept in the API's stack hangs from that resource, imported by id.
          anchor = apigw.Resource.fromResourceAttributes(stack, `Anchor${anchors.size}`, {
            resourceId: api.root.resourceForPath(unit.anchor).resourceId, restApi: imported, path: unit.anchor,
          });
          anchors.set(unit.anchor, anchor);
        }
        const placed = { stack, api: imported, anchorPath: unit.anchor, anchor };
        for (const r of unit.routes) this.byPath.set(r.path, placed);
      }
      api.latestDeployment?.node.addDependency(stack);
      this.stacks.push(stack);
    });
    if (this.stacks.length > 0) api.latestDeployment?.addToLogicalId({ routeStacks: layout.stacks.map((s) => s.units.map((u) => u.path)), routes });
  }

  /**
   * Lists the methods built in nested stacks among the REST API's methods (`RestApi.methods`), as a method of its own
   * stack lists itself: the API then knows all of them (and does not report itself empty).
   */
  public registerMethods(methods: apigw.Method[]): void {
    const known = new Set(this.api.methods);
    for (const m of methods) if (!known.has(m) && this.byPath.has(m.resource.path)) this.api.methods.push(m);
  }

  /** The path resource of a route path, in the stack that holds it. */
  public resourceFor(path: string): apigw.IResource {
    const placed = this.byPath.get(path);
    if (!placed) return path === '/' ? this.api.root : this.api.root.resourceForPath(path);
    return placed.anchor.resourceForPath(placed.anchorPath === '/' ? path.slice(1) : path.slice(placed.anchorPath.length + 1));
  }

  /** Where the route's models go. */
  public scopeFor(path: string): Construct {
    return this.byPath.get(path)?.stack ?? this.owner;
  }

  /** The REST API as seen from the stack of a route path. */
  public apiFor(path: string): apigw.IRestApi {
    return this.byPath.get(path)?.api ?? this.api;
  }

  /**
   * The authorizer of a route. A method in a nested stack gets the authorizer itself, so CDK binds it to the REST
   * API (the method's API, imported by id, has the same id). What a method of the API's own stack adds besides, the
   * Deployment's dependency on the authorizer and the authorizer in the Deployment's logical id (so a change of the
   * authorizer redeploys the stage), is added here, with public API, for the routes in nested stacks.
   * `handler`: the Lambda authorizer's function (none for a Cognito authorizer).
   */
  public authorizerFor(path: string, authorizer: apigw.IAuthorizer, handler?: lambda.IFunction): apigw.IAuthorizer {
    const deployment = this.api.latestDeployment;
    if (!this.byPath.has(path) || !deployment || !(authorizer instanceof Construct)) return authorizer;
    if (!FeatureFlags.of(authorizer).isEnabled(cxapi.APIGATEWAY_AUTHORIZER_CHANGE_DEPLOYMENT_LOGICAL_ID)) return authorizer;
    const cfn = authorizer.node.defaultChild as apigw.CfnAuthorizer;
    deployment.node.addDependency(authorizer);
    // The authorizer's properties in the order CDK's authorizers list them (a Lambda and a Cognito authorizer each
    // leave the other's fields undefined), so the Deployment's logical id is the one a method of its stack gives.
    const props = {
      name: cfn.name,
      restApiId: cfn.restApiId,
      type: cfn.type,
      authorizerUri: cfn.authorizerUri,
      authorizerCredentials: cfn.authorizerCredentials,
      providerArns: cfn.providerArns,
      authorizerResultTtlInSeconds: cfn.authorizerResultTtlInSeconds,
      identitySource: cfn.identitySource,
    };
    if (!handler) {
      deployment.addToLogicalId({ authorizer: props });
    } else {
      const functionName = handler instanceof lambda.Function ? (handler.node.defaultChild as lambda.CfnFunction).functionName : handler.functionName;
      deployment.addToLogicalId({ authorizer: props, authorizerToken: functionName });
    }
    return authorizer;
  }
}

/**
 * One invoke permission of the API on its Lambda backend, for every method and stage of this API only (a permission
 * per method would pass Lambda's 20 KB resource-policy limit at a few dozen routes). Throws when the backend's policy
 * would pass the limit all the same (a backend shared by many APIs).
 */
export function grantApiInvoke(scope: Construct, api: apigw.RestApi, backend: lambda.IFunction): void {
  backend.addPermission(`ApiInvoke${Names.uniqueId(scope)}`, {
    principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    sourceArn: api.arnForExecuteApi(),
  });
  if (backend instanceof lambda.Function) {
    const statements = backend.node.findAll().filter((c) => c instanceof lambda.CfnPermission).length;
    const bytes = statements * LAMBDA_PERMISSION_STATEMENT_BYTES;
    if (exceeds(bytes, 'lambdaResourcePolicyBytes')) {
      throw new PlatformValidationError(`backend: ${backend.node.path} would hold ${statements} permission statements (about ${bytes} bytes), over Lambda's limit of `
        + `${LIMIT_NAMES.lambdaResourcePolicyBytes}; give each API its own backend function`, scope);
    }
  }
}
