/**
 * A portfolio of REST APIs at scale: by default 4 APIs × 250 routes (50 collections, each with GET/POST on the
 * collection and GET/PUT/DELETE on the item) in two regions, every compliance pack. The regional stacks keep each API's
 * gateway, authorizer and Deployment; the routes go to nested stacks (see `planRouteLayout`), so every stack stays under
 * CloudFormation's 500 resources. `buildPortfolioApp` takes the route and region counts the synth benchmark varies.
 */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { SecureApiPlatform } from '../../constructs/aws';
import { Compliance } from '../../lib/compliance';
import type { ApiSpec, PlatformSpec, RouteSpec } from '../../lib/spec';
import { exampleSpec } from '../spec';

export const PORTFOLIO_REGIONS = ['eu-west-1', 'eu-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1'] as const;
const API_NAMES = ['catalog', 'payments', 'accounts', 'ledger', 'claims', 'quotes', 'parties', 'cards'];
/** Routes of one collection (GET/POST on the collection, GET/PUT/DELETE on the item). */
export const ROUTES_PER_COLLECTION = 5;
/** The most routes one API of the portfolio gets (API Gateway allows 300 path resources per REST API). */
export const ROUTES_PER_API = 250;

export interface PortfolioOptions {
  /**
   * Routes in all, a multiple of 5 (spread over ceil(routes / 250) APIs).
   * @default 1000
   */
  readonly routes?: number;
  /**
   * Regions (1 to 5), the first the primary.
   * @default 2
   */
  readonly regions?: number;
}

const itemSchema = (name: string) => ({
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: name,
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 120 }, amount: { type: 'integer', minimum: 0 } },
});

function portfolioApi(name: string, collections: number): ApiSpec {
  const routes: RouteSpec[] = [];
  for (let c = 1; c <= collections; c++) {
    const col = `/${name}-c${String(c).padStart(2, '0')}`;
    const body = itemSchema(`${name}C${c}`);
    routes.push(
      { method: 'GET', path: col, scopes: [`${name}:read`] },
      { method: 'POST', path: col, scopes: [`${name}:write`], body },
      { method: 'GET', path: `${col}/{id}`, scopes: [`${name}:read`] },
      { method: 'PUT', path: `${col}/{id}`, scopes: [`${name}:write`], body },
      { method: 'DELETE', path: `${col}/{id}`, scopes: [`${name}:write`] },
    );
  }
  return {
    name,
    version: 'v1',
    scopes: { [`${name}:read`]: `Read ${name}`, [`${name}:write`]: `Change ${name}` },
    plan: 'standard',
    backend: { kind: 'lambda', timeoutMs: 5000 },
    routes,
  };
}

/**
 * The portfolio's spec: the example's controls (lean: no CloudHSM, Shield Advanced or mTLS domain) with many routes.
 * Without a custom domain: the platform maps each API at its version (`/v1`) on a region's one domain, so APIs of the
 * same version cannot share it; each API is served on its own execute-api endpoint behind the regional web ACL.
 */
export function portfolioSpec(options: PortfolioOptions = {}): PlatformSpec {
  const routes = options.routes ?? 1000;
  const regions = options.regions ?? 2;
  const most = API_NAMES.length * ROUTES_PER_API;
  if (!Number.isInteger(routes) || routes < ROUTES_PER_COLLECTION || routes % ROUTES_PER_COLLECTION !== 0 || routes > most) {
    throw new Error(`routes must be a multiple of ${ROUTES_PER_COLLECTION} from ${ROUTES_PER_COLLECTION} to ${most} (received: ${routes})`);
  }
  if (!Number.isInteger(regions) || regions < 1 || regions > PORTFOLIO_REGIONS.length) {
    throw new Error(`regions must be 1 to ${PORTFOLIO_REGIONS.length} (received: ${regions})`);
  }
  const apiCount = Math.ceil(routes / ROUTES_PER_API);
  const collections = routes / ROUTES_PER_COLLECTION;
  const base = exampleSpec('aws', { lean: true });
  const apis = API_NAMES.slice(0, apiCount).map((name, i) => {
    // Collections spread evenly, the first APIs taking the remainder.
    const share = Math.floor(collections / apiCount) + (i < collections % apiCount ? 1 : 0);
    return portfolioApi(name, share);
  });
  const allScopes = apis.flatMap((a) => Object.keys(a.scopes ?? {}));
  return {
    ...base,
    name: 'portfolio',
    regions: { primary: PORTFOLIO_REGIONS[0], secondaries: PORTFOLIO_REGIONS.slice(1, regions) },
    identity: {
      ...base.identity,
      userPool: { mfa: 'required', clients: [{ name: 'partner-batch', kind: 'machine', scopes: allScopes }] },
      issuers: [],
    },
    apis,
    domain: undefined,
    edge: { ...base.edge, cdn: false },
  };
}

/** Builds the portfolio platform into `app` with a Lambda backend per API and every compliance pack. */
export function buildPortfolioApp(app: App, options: PortfolioOptions = {}): SecureApiPlatform {
  const spec = portfolioSpec(options);
  const backend = SecureApiPlatform.lambdaBackend(path.join(__dirname, '..', '..', 'assets', 'orders-backend'), {
    noVpcReason: 'The backend (assets/orders-backend) reaches only its regional idempotency table in DynamoDB through the public TLS endpoint '
      + 'with IAM authentication; it has no private network dependency, so a VPC would add NAT cost without reducing exposure',
  });
  const platform = new SecureApiPlatform(app, 'Portfolio', {
    spec,
    account: app.node.tryGetContext('account') as string | undefined,
    backends: Object.fromEntries(spec.apis.map((a) => [a.name, backend])),
  });
  Compliance.enforce(app, { spec, profiles: spec.compliance });
  return platform;
}
