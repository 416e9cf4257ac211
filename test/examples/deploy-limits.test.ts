import { portfolioSpec } from '../../examples/portfolio/app';
import { exampleSpec } from '../../examples/spec';
import { ApiSpec, LIMIT_NAMES, planRouteLayout, PlatformSpec, ROUTE_LAYOUT, RouteSpec, validateSpec } from '../../lib/spec';

const collection = (prefix: string, n: number): RouteSpec[] => [
  { method: 'GET', path: `${prefix}/c${n}` },
  { method: 'POST', path: `${prefix}/c${n}` },
  { method: 'GET', path: `${prefix}/c${n}/{id}` },
  { method: 'PUT', path: `${prefix}/c${n}/{id}` },
  { method: 'DELETE', path: `${prefix}/c${n}/{id}` },
];
const routesOf = (collections: number, prefix = ''): RouteSpec[] => Array.from({ length: collections }, (_, i) => collection(prefix, i + 1)).flat();
const withApis = (apis: ApiSpec[]): PlatformSpec => ({ ...exampleSpec('aws', { lean: true }), apis, identity: { issuers: exampleSpec().identity.issuers } });
const api = (name: string, routes: RouteSpec[]): ApiSpec => ({ name, version: 'v1', scopes: {}, backend: { kind: 'http', url: 'https://backend.example.com' }, routes });

describe('deploy limits at synth', () => {
  test('the 1,000-route portfolio in five regions is within every limit', () => {
    expect(validateSpec(portfolioSpec({ routes: 1000, regions: 5 }))).toEqual([]);
  });

  test('more than 300 path resources in one REST API is refused, naming the limit', () => {
    // 151 collections: 302 path resources.
    const issues = validateSpec(withApis([api('big', routesOf(151))]));
    expect(issues).toEqual([{ path: 'apis[0].routes', message: expect.stringContaining(`needs 302 path resources, over API Gateway's limit of ${LIMIT_NAMES.resourcesPerRestApi}`) }]);
    expect(LIMIT_NAMES.resourcesPerRestApi).toBe('300 resources per REST API');
    expect(validateSpec(withApis([api('big', routesOf(150))]))).toEqual([]);
  });

  test('a body schema too large for one template is refused, naming the limit', () => {
    const properties = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 64 }]));
    const body = { type: 'object', additionalProperties: false, properties };
    const issues = validateSpec(withApis([api('big', [{ method: 'POST', path: '/things', body }])]));
    expect(issues.map((i) => i.path)).toEqual(['apis[0].routes[0].body']);
    expect(issues[0].message).toContain('1 MB per CloudFormation template');
  });

  test('a regional stack past 500 resources even at its floor is refused, naming the limit', () => {
    const many = Array.from({ length: 16 }, (_, i) => api(`api-${String.fromCharCode(97 + i)}x`, routesOf(3)));
    const issues = validateSpec(withApis(many));
    expect(issues).toEqual([{ path: 'apis', message: expect.stringMatching(/regional stack would hold at least \d+ resources \(16 APIs.*500 resources per CloudFormation stack/) }]);
    expect(validateSpec(withApis(many.slice(0, 8)))).toEqual([]);
  });
});

describe('planRouteLayout', () => {
  const layoutRoutes = (routes: RouteSpec[]) => routes.map((r) => ({ method: r.method, path: r.path, hasBody: r.method === 'POST' || r.method === 'PUT' }));

  test('a small API keeps its routes in its own stack', () => {
    const layout = planRouteLayout(layoutRoutes(routesOf(3)), { cors: true });
    expect(layout.stacks).toEqual([]);
    expect(layout.inline).toHaveLength(15);
    expect(layout.restApiResources).toBe(6);
  });

  test('a large API goes into nested stacks of whole collections, each under the budget, in path order', () => {
    const layout = planRouteLayout(layoutRoutes(routesOf(50)), { cors: true });
    expect(layout.inline).toEqual([]);
    expect(layout.stacks.length).toBe(2);
    const units = layout.stacks.flatMap((s) => s.units);
    expect(units.map((u) => u.path)).toEqual([...units.map((u) => u.path)].sort());
    expect(units.every((u) => u.anchor === '/' && u.routes.length === 5)).toBe(true);
    // Each collection: 2 path resources, 5 methods, 2 models, 2 preflights.
    expect(units[0].resources).toBe(11);
    for (const s of layout.stacks) expect(s.resources).toBeLessThanOrEqual(ROUTE_LAYOUT.resourcesPerRouteStack);
    expect(layout.stacks.reduce((n, s) => n + s.resources, 0)).toBe(550);
  });

  test('a subtree too large for one nested stack keeps its top resource in the API stack and splits below it', () => {
    const layout = planRouteLayout([...layoutRoutes(routesOf(60, '/api')), { method: 'GET', path: '/api' }, { method: 'GET', path: '/health' }], { cors: false });
    expect(layout.inlinePaths).toEqual(['/api']);
    expect(layout.inline.map((r) => r.path)).toEqual(['/api']);
    const units = layout.stacks.flatMap((s) => s.units);
    expect(units.filter((u) => u.anchor === '/api')).toHaveLength(60);
    expect(units.filter((u) => u.anchor === '/').map((u) => u.path)).toEqual(['/health']);
  });
});
