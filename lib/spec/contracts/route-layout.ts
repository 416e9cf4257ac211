/**
 * Where the CloudFormation resources of an API's routes go: in the API's own stack while they are few, otherwise in
 * nested stacks of whole path subtrees. The AWS renderer builds exactly this layout and the spec validation checks it
 * against the deployment limits, so the two cannot disagree.
 */
import { DEPLOY_LIMITS } from './limits';

/** What the layout needs to know of a route. */
export interface LayoutRoute {
  readonly method: string;
  /** Resource path, e.g. `/orders/{id}` (`/` for the root). */
  readonly path: string;
  /** Whether it has a request-body model. */
  readonly hasBody?: boolean;
  /** JSON length of the body schema (the model is in the template). @default 0 */
  readonly bodyBytes?: number;
}

/** Layout budgets (below the limits, leaving room for what a stack holds besides routes). */
export const ROUTE_LAYOUT = {
  /** An API whose routes need at most this many resources keeps them in its own stack. */
  inlineResources: 60,
  /** Resources of one nested stack of routes. */
  resourcesPerRouteStack: 300,
  /** Estimated template bytes of one nested stack of routes. */
  bytesPerRouteStack: 600_000,
  /** Estimated template bytes of one method (with its integration and authorizer), a path resource, a preflight. */
  methodBytes: 1_600,
} as const;

/** Routes under one path subtree, placed together in one nested stack. */
export interface RouteUnit {
  /** The path of the subtree's top resource, e.g. `/orders`. */
  readonly path: string;
  /** Where the subtree hangs: `/` or a path resource kept in the API's stack. */
  readonly anchor: string;
  readonly routes: LayoutRoute[];
  readonly resources: number;
  readonly bytes: number;
}

export interface RouteStackPlan {
  readonly units: RouteUnit[];
  readonly resources: number;
  readonly bytes: number;
}

export interface RouteLayout {
  /** Routes whose resources stay in the API's own stack. */
  readonly inline: LayoutRoute[];
  /** Path resources of the API's own stack (inline routes' paths and the anchors of split subtrees). */
  readonly inlinePaths: string[];
  /** Resources of the inline routes (path resources, methods, models, preflights). */
  readonly inlineResources: number;
  readonly stacks: RouteStackPlan[];
  /** Every path resource of the API (API Gateway's own count, the root excluded). */
  readonly restApiResources: number;
}

interface Node {
  readonly path: string;
  readonly routes: LayoutRoute[];
  readonly children: Map<string, Node>;
}

function child(parent: Node, segment: string): Node {
  let c = parent.children.get(segment);
  if (!c) {
    c = { path: parent.path === '/' ? `/${segment}` : `${parent.path}/${segment}`, routes: [], children: new Map() };
    parent.children.set(segment, c);
  }
  return c;
}

/** Resources and template bytes of one path node's own share: the resource, its methods, models and preflight. */
function ownCost(node: Node, cors: boolean): { resources: number; bytes: number } {
  const isRoot = node.path === '/';
  const preflight = cors && node.routes.length > 0 && !node.routes.some((r) => r.method === 'OPTIONS') ? 1 : 0;
  // One per body route: an upper bound, as routes of one stack with the same body schema share one model.
  const models = node.routes.filter((r) => r.hasBody).length;
  const resources = (isRoot ? 0 : 1) + node.routes.length + models + preflight;
  const bytes = resources * ROUTE_LAYOUT.methodBytes + node.routes.reduce((n, r) => n + (r.bodyBytes ?? 0), 0);
  return { resources, bytes };
}

function subtreeCost(node: Node, cors: boolean): { resources: number; bytes: number } {
  const own = ownCost(node, cors);
  for (const c of node.children.values()) {
    const sub = subtreeCost(c, cors);
    own.resources += sub.resources;
    own.bytes += sub.bytes;
  }
  return own;
}

function collect(node: Node): LayoutRoute[] {
  return [...node.routes, ...[...node.children.values()].flatMap(collect)];
}

/**
 * The layout of one API's routes. `cors`: whether a preflight (OPTIONS) method is added to each path with routes.
 * Deterministic: subtrees are placed in path order.
 */
export function planRouteLayout(routes: readonly LayoutRoute[], options: { readonly cors: boolean }): RouteLayout {
  const root: Node = { path: '/', routes: [], children: new Map() };
  for (const r of routes) {
    let node = root;
    for (const segment of r.path.split('/').filter(Boolean)) node = child(node, segment);
    node.routes.push(r);
  }
  const all = subtreeCost(root, options.cors);
  const pathCount = (n: Node): number => [...n.children.values()].reduce((sum, c) => sum + 1 + pathCount(c), 0);
  const restApiResources = pathCount(root);
  if (all.resources <= ROUTE_LAYOUT.inlineResources) {
    const paths: string[] = [];
    const walk = (n: Node): void => {
      if (n.path !== '/') paths.push(n.path);
      [...n.children.values()].forEach(walk);
    };
    walk(root);
    return { inline: [...routes], inlinePaths: paths, inlineResources: all.resources, stacks: [], restApiResources };
  }

  // Subtrees that fit a nested stack become units; a larger one keeps its top resource inline and splits below it.
  const inline: LayoutRoute[] = [...root.routes];
  const inlinePaths: string[] = [];
  let inlineResources = ownCost(root, options.cors).resources;
  const units: RouteUnit[] = [];
  const split = (node: Node): void => {
    const sorted = [...node.children.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
    for (const c of sorted) {
      const cost = subtreeCost(c, options.cors);
      if (cost.resources <= ROUTE_LAYOUT.resourcesPerRouteStack && cost.bytes <= ROUTE_LAYOUT.bytesPerRouteStack) {
        units.push({ path: c.path, anchor: node.path, routes: collect(c), resources: cost.resources, bytes: cost.bytes });
      } else {
        inline.push(...c.routes);
        inlinePaths.push(c.path);
        inlineResources += ownCost(c, options.cors).resources;
        split(c);
      }
    }
  };
  split(root);

  // Units packed in order into nested stacks up to the budgets.
  const stacks: { units: RouteUnit[]; resources: number; bytes: number }[] = [];
  for (const u of units) {
    const last = stacks[stacks.length - 1];
    if (last && last.resources + u.resources <= ROUTE_LAYOUT.resourcesPerRouteStack && last.bytes + u.bytes <= ROUTE_LAYOUT.bytesPerRouteStack) {
      last.units.push(u);
      last.resources += u.resources;
      last.bytes += u.bytes;
    } else {
      stacks.push({ units: [u], resources: u.resources, bytes: u.bytes });
    }
  }
  return { inline, inlinePaths, inlineResources, stacks, restApiResources };
}

/**
 * Lower bounds of what a regional platform stack holds besides inline routes, measured on the synthesized templates
 * (a test keeps them below the real counts): a spec over the limit with these is sure not to deploy.
 */
export const REGIONAL_STACK_FLOOR = {
  /** WAF, idempotency table, alarms, log shipping and the like, whatever the APIs. */
  perRegion: 20,
  /** Per API: REST API, deployment, stage, log group, authorizer with its role and policy, gateway responses... */
  perApi: 25,
} as const;

/** The fewest resources the regional stack of these API layouts can hold (a nested stack counts as one). */
export function regionalStackFloor(layouts: readonly RouteLayout[]): number {
  return REGIONAL_STACK_FLOOR.perRegion + layouts.reduce((n, l) => n + REGIONAL_STACK_FLOOR.perApi + l.inlineResources + l.stacks.length, 0);
}

/** Whether a limit is crossed: `DEPLOY_LIMITS` are maxima. */
export const exceeds = (value: number, limit: keyof typeof DEPLOY_LIMITS): boolean => value > DEPLOY_LIMITS[limit];

/** The layout of an API's routes as spec routes give them (the one call the validation and the renderer share). */
export function apiRouteLayout(
  routes: ReadonlyArray<{ readonly method: string; readonly path: string; readonly body?: unknown }>,
  cors: boolean,
): RouteLayout {
  return planRouteLayout(routes.map((r) => ({
    method: r.method, path: r.path, hasBody: r.body !== undefined, bodyBytes: r.body === undefined ? 0 : JSON.stringify(r.body).length,
  })), { cors });
}
