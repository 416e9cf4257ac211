import { isIP } from 'node:net';
import Ajv04 from 'ajv-draft-04';
import { LIMIT_NAMES } from './contracts/limits';
import { AWS_REGION_PATTERN, isRegionName, PLAN_NAME_PATTERN, PLATFORM_NAME_PATTERN } from './contracts/names';
import { apiRouteLayout, exceeds, regionalStackFloor, ROUTE_LAYOUT, RouteLayout } from './contracts/route-layout';
import { isSignatureAlgorithm, MAX_AUTHORIZERS_PER_API, SIGNATURE_ALGORITHMS, TENANT_ID_PATTERN } from './contracts/identity';
import { PROFILE_MINIMUMS } from './profiles';
import { ComplianceProfile, HTTP_METHODS, JsonSchema, PlatformSpec, TlsPolicy } from './types';
import { SecureApiPlatformError } from './errors';

/** One problem in a spec: where it is, and a message that says what was received and how to fix it. */
export interface SpecIssue {
  /** Dotted path of the offending field, e.g. `apis[0].routes[2].path`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown by `assertValidSpec` / `resolveSpec`; lists every problem, one per line. */
export class PlatformSpecError extends SecureApiPlatformError {
  constructor(public readonly issues: readonly SpecIssue[]) {
    super(`Invalid platform spec (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'PlatformSpecError';
  }
}

const PATH_RE = /^(\/([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\+?\}))+$|^\/$/;
const VERSION_RE = /^v[1-9][0-9]*$/;
const SCOPE_RE = /^[A-Za-z0-9._:\-/]{1,128}$/;
const FQDN_RE = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;
const HEADER_RE = /^[a-z0-9-]{1,64}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const isSeconds = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

/** JSON Schema keywords of drafts after 04 that API Gateway's draft-04 validator silently ignores. */
const POST_DRAFT4_KEYWORDS = [
  'const', 'contains', 'propertyNames', 'if', 'then', 'else', '$defs', 'dependentRequired', 'dependentSchemas',
  'unevaluatedProperties', 'unevaluatedItems', 'prefixItems', '$anchor', '$dynamicRef', '$dynamicAnchor', '$recursiveRef',
  'examples', 'contentEncoding', 'contentMediaType', 'deprecated', 'readOnly', 'writeOnly',
];

let ajv04: Ajv04 | undefined;
function draft04(): Ajv04 {
  ajv04 ??= new Ajv04({ strict: false, validateSchema: false });
  return ajv04;
}

export function isHttpsUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.hostname.length > 0 && !u.username && !u.password;
  } catch {
    return false;
  }
}

export function isCidr(value: string): boolean {
  const [addr, bits, ...rest] = value.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(addr);
  const n = Number(bits);
  return (family === 4 && n <= 32) || (family === 6 && n <= 128);
}

/**
 * Checks that a request-body schema is one API Gateway can enforce: draft-04 (its only draft), no keywords
 * of later drafts (ignored, so a constraint would silently not hold), no remote `$ref`, and every object
 * closed with `additionalProperties: false` so unknown fields are rejected.
 */
export function checkRequestSchema(schema: JsonSchema, path: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const declared = schema.$schema;
  if (declared !== undefined && declared !== 'http://json-schema.org/draft-04/schema#' && declared !== 'http://json-schema.org/draft-04/schema') {
    issues.push({ path: `${path}.$schema`, message: `API Gateway validates JSON Schema draft-04 only (received: ${show(declared)}); set "$schema" to "http://json-schema.org/draft-04/schema#" or leave it out, and rewrite later-draft keywords` });
  }
  const a = draft04();
  const { $schema: _ignored, ...body } = schema;
  if (!a.validateSchema(body)) {
    for (const e of a.errors ?? []) {
      const received = e.instancePath.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], body);
      issues.push({ path: `${path}${e.instancePath.replace(/\//g, '.')}`, message: `not a valid draft-04 schema: ${e.message ?? e.keyword} (received: ${show(received)}); API Gateway enforces draft-04 only (e.g. exclusiveMinimum is a boolean next to minimum)` });
    }
  }
  walkSchema(schema, path, (node, p) => {
    for (const k of POST_DRAFT4_KEYWORDS) {
      if (k in node) issues.push({ path: `${p}.${k}`, message: `"${k}" is not draft-04 and API Gateway ignores it (received: ${show(node[k])}); express the constraint with draft-04 keywords (e.g. "enum" for "const")` });
    }
    const ref = node.$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) {
      issues.push({ path: `${p}.$ref`, message: `remote $ref cannot be resolved by API Gateway (received: ${show(ref)}); inline the referenced schema` });
    }
    const isObject = node.type === 'object' || (node.properties !== undefined && node.type === undefined);
    if (isObject && node.additionalProperties !== false) {
      issues.push({ path: `${p}.additionalProperties`, message: `objects must reject unknown fields (received: ${show(node.additionalProperties)}); set "additionalProperties": false` });
    }
  });
  return issues;
}

type SchemaNode = Record<string, unknown>;
function walkSchema(node: unknown, path: string, visit: (n: SchemaNode, p: string) => void): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const n = node as SchemaNode;
  visit(n, path);
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    const children = n[key];
    if (children && typeof children === 'object') {
      for (const [name, child] of Object.entries(children as SchemaNode)) walkSchema(child, `${path}.${key}.${name}`, visit);
    }
  }
  for (const key of ['items', 'additionalItems', 'not', 'additionalProperties']) {
    const child = n[key];
    if (Array.isArray(child)) child.forEach((c, i) => walkSchema(c, `${path}.${key}[${i}]`, visit));
    else walkSchema(child, `${path}.${key}`, visit);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = n[key];
    if (Array.isArray(list)) list.forEach((c, i) => walkSchema(c, `${path}.${key}[${i}]`, visit));
  }
}

/** Returns every problem in the spec (empty when it is valid). Pure: reads nothing but the spec. */
export function validateSpec(spec: PlatformSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };

  // name
  if (typeof spec.name !== 'string' || !PLATFORM_NAME_PATTERN.test(spec.name)) {
    add('name', `must be 3-24 lowercase letters, digits or hyphens, starting with a letter (received: ${show(spec.name)}); it prefixes resource names, e.g. "orders"`);
  }

  // regions
  const primary = spec.regions?.primary;
  if (typeof primary !== 'string' || !isRegionName(primary)) {
    add('regions.primary', `must be a region name such as "eu-west-1" or "westeurope" (received: ${show(primary)})`);
  }
  const seen = new Set<string>(typeof primary === 'string' ? [primary] : []);
  (spec.regions?.secondaries ?? []).forEach((r, i) => {
    if (typeof r !== 'string' || !isRegionName(r)) add(`regions.secondaries[${i}]`, `must be a region name such as "eu-central-1" (received: ${show(r)})`);
    else if (seen.has(r)) add(`regions.secondaries[${i}]`, `region listed twice (received: ${show(r)}); list each region once, the primary only as primary`);
    seen.add(r);
  });
  const all = [...seen];
  if (all.some((r) => AWS_REGION_PATTERN.test(r)) && !all.every((r) => AWS_REGION_PATTERN.test(r))) {
    add('regions', `mixes AWS and Azure region names (received: ${show(all)}); use one cloud's names`);
  }

  // compliance
  if (!Array.isArray(spec.compliance) || spec.compliance.length === 0) {
    add('compliance', `must select at least one profile (received: ${show(spec.compliance)}); choose from ${Object.keys(ComplianceProfile).join(', ')}`);
  } else {
    const profiles = new Set<string>();
    spec.compliance.forEach((p, i) => {
      if (!(p in PROFILE_MINIMUMS)) add(`compliance[${i}]`, `unknown compliance profile (received: ${show(p)}); choose from ${Object.keys(ComplianceProfile).join(', ')}`);
      else if (profiles.has(p)) add(`compliance[${i}]`, `profile listed twice (received: ${show(p)}); list it once`);
      profiles.add(p);
    });
  }

  // identity
  const id = spec.identity ?? {};
  if (!id.userPool && (!id.issuers || id.issuers.length === 0)) {
    add('identity', 'has no token issuer (received: no userPool and no issuers); add identity.userPool or at least one identity.issuers entry');
  }
  if (id.tenantClaim !== undefined && !/^[A-Za-z0-9_:.-]{1,64}$/.test(id.tenantClaim)) {
    add('identity.tenantClaim', `must be a claim name (received: ${show(id.tenantClaim)}), e.g. "tenant_id" or "custom:tenant_id"`);
  }
  const up = id.userPool;
  if (up) {
    if (up.mfa !== undefined && up.mfa !== 'required') add('identity.userPool.mfa', `only "required" is accepted (received: ${show(up.mfa)}); leave it out or set "required"`);
    const v = up.accessTokenValidityMinutes;
    if (v !== undefined && (!Number.isInteger(v) || v < 5 || v > 60)) {
      add('identity.userPool.accessTokenValidityMinutes', `must be a whole number from 5 to 60 (received: ${show(v)}); short-lived tokens limit what a stolen token can do`);
    }
    if (up.domainPrefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(up.domainPrefix)) {
      add('identity.userPool.domainPrefix', `must be lowercase letters, digits and hyphens (received: ${show(up.domainPrefix)})`);
    }
  }
  const issuerSeen = new Set<string>();
  (id.issuers ?? []).forEach((iss, i) => {
    const p = `identity.issuers[${i}]`;
    if (!iss.name || !/^[A-Za-z][A-Za-z0-9-]{0,31}$/.test(iss.name)) add(`${p}.name`, `must be a short name of letters, digits and hyphens (received: ${show(iss.name)})`);
    if (typeof iss.issuer !== 'string' || !isHttpsUrl(iss.issuer)) add(`${p}.issuer`, `must be an https URL (received: ${show(iss.issuer)}); tokens from an http issuer can be forged in transit`);
    else if (issuerSeen.has(iss.issuer)) add(`${p}.issuer`, `issuer listed twice (received: ${show(iss.issuer)}); merge the entries' audiences`);
    issuerSeen.add(iss.issuer);
    if (iss.jwksUri !== undefined && !isHttpsUrl(iss.jwksUri)) add(`${p}.jwksUri`, `must be an https URL (received: ${show(iss.jwksUri)})`);
    if (!Array.isArray(iss.audience) || iss.audience.length === 0 || iss.audience.some((a) => typeof a !== 'string' || a.trim() === '')) {
      add(`${p}.audience`, `must list at least one non-empty audience (received: ${show(iss.audience)}); without it any token the issuer mints for any app would be accepted`);
    }
    (iss.algorithms ?? []).forEach((alg, j) => {
      if (!isSignatureAlgorithm(alg)) {
        add(`${p}.algorithms[${j}]`, `unsupported or unsafe algorithm (received: ${show(alg)}); use one of ${SIGNATURE_ALGORITHMS.join(', ')} (never "none" or HMAC)`);
      }
    });
    if (iss.algorithms !== undefined && iss.algorithms.length === 0) add(`${p}.algorithms`, 'must not be empty (received: []); leave it out for ["RS256"]');
    if (iss.tenants !== undefined && (!Array.isArray(iss.tenants) || iss.tenants.length === 0 || iss.tenants.some((t) => typeof t !== 'string' || !TENANT_ID_PATTERN.test(t)))) {
      add(`${p}.tenants`, `must list tenant ids matching ${TENANT_ID_PATTERN} (received: ${show(iss.tenants)}); leave it out to let the issuer assert any tenant`);
    }
  });
  const rev = id.revocation ?? {};
  for (const [k, max] of [['gatewayCacheSeconds', 300], ['authorizerCacheSeconds', 300], ['replicationLagSeconds', 300]] as const) {
    const v = rev[k];
    if (v !== undefined && !isSeconds(v, max)) add(`identity.revocation.${k}`, `must be a whole number from 0 to ${max} (received: ${show(v)})`);
  }

  // plans
  const planNames = Object.keys(spec.plans ?? {});
  if (planNames.length === 0) add('plans', 'must define at least one tenant plan (received: none), e.g. { standard: { rate: 50, burst: 100, dailyQuota: 100000 } }');
  for (const [name, plan] of Object.entries(spec.plans ?? {})) {
    const p = `plans.${name}`;
    if (!PLAN_NAME_PATTERN.test(name)) add(p, `plan name must be lowercase letters, digits and hyphens (received: ${show(name)})`);
    if (!(Number.isFinite(plan.rate) && plan.rate > 0)) add(`${p}.rate`, `must be a positive number of requests per second (received: ${show(plan.rate)})`);
    if (!(Number.isInteger(plan.burst) && plan.burst > 0)) add(`${p}.burst`, `must be a positive whole number (received: ${show(plan.burst)})`);
    else if (plan.burst < plan.rate) add(`${p}.burst`, `must be at least rate (received: burst ${plan.burst} < rate ${plan.rate}); the bucket must hold one second of traffic`);
    if (!(Number.isInteger(plan.dailyQuota) && plan.dailyQuota > 0)) add(`${p}.dailyQuota`, `must be a positive whole number (received: ${show(plan.dailyQuota)})`);
    else if (plan.dailyQuota < plan.rate) add(`${p}.dailyQuota`, `is below the rate (received: dailyQuota ${plan.dailyQuota} < rate ${plan.rate}); a tenant would exhaust the day's quota in under a second: raise dailyQuota or lower rate`);
  }

  // apis and routes
  if (!Array.isArray(spec.apis) || spec.apis.length === 0) add('apis', 'must define at least one API (received: none)');
  const apiKeys = new Set<string>();
  (spec.apis ?? []).forEach((api, i) => {
    const p = `apis[${i}]`;
    if (!api.name || !PLATFORM_NAME_PATTERN.test(api.name)) add(`${p}.name`, `must be 3-24 lowercase letters, digits or hyphens (received: ${show(api.name)})`);
    if (!VERSION_RE.test(api.version ?? '')) add(`${p}.version`, `must look like "v1" (received: ${show(api.version)}); it becomes the base path /v1`);
    const apiKey = `${api.name}/${api.version}`;
    if (apiKeys.has(apiKey)) add(p, `API ${show(api.name)} version ${show(api.version)} is defined twice; merge the route lists`);
    apiKeys.add(apiKey);
    const declared = new Set(Object.keys(api.scopes ?? {}));
    for (const s of declared) if (!SCOPE_RE.test(s)) add(`${p}.scopes`, `scope name ${show(s)} has characters tokens cannot carry; use letters, digits and . _ : - /`);
    if (api.plan !== undefined && !planNames.includes(api.plan)) add(`${p}.plan`, `unknown plan (received: ${show(api.plan)}); use one of ${show(planNames)}`);
    const b = api.backend;
    if (b) {
      if (!['lambda', 'http', 'private'].includes(b.kind)) add(`${p}.backend.kind`, `must be "lambda", "http" or "private" (received: ${show(b.kind)})`);
      if (b.kind !== 'lambda' && (b.url === undefined || !isHttpsUrl(b.url))) add(`${p}.backend.url`, `must be an https URL for ${b.kind} backends (received: ${show(b.url)}); the gateway re-encrypts to the backend`);
      if (b.timeoutMs !== undefined && !(Number.isInteger(b.timeoutMs) && b.timeoutMs >= 50 && b.timeoutMs <= 29_000)) {
        add(`${p}.backend.timeoutMs`, `must be 50 to 29000 ms (received: ${show(b.timeoutMs)}); API Gateway's integration timeout limit`);
      }
    }
    if (api.mtls && !spec.domain?.mtls) add(`${p}.mtls`, 'needs a partner domain (received: mtls true, no domain.mtls); add domain.mtls with the truststore, or drop mtls');
    if (api.deprecation !== undefined && (typeof api.deprecation.sunset !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(api.deprecation.sunset) || Number.isNaN(Date.parse(api.deprecation.sunset)))) {
      add(`${p}.deprecation.sunset`, `must be an ISO date such as "2027-06-30" (received: ${show(api.deprecation.sunset)})`);
    }
    if (!Array.isArray(api.routes) || api.routes.length === 0) add(`${p}.routes`, 'must define at least one route (received: none)');
    const routeKeys = new Set<string>();
    (api.routes ?? []).forEach((r, j) => {
      const rp = `${p}.routes[${j}]`;
      if (!(HTTP_METHODS as readonly string[]).includes(r.method)) add(`${rp}.method`, `must be one of ${HTTP_METHODS.join(', ')} (received: ${show(r.method)})`);
      if (typeof r.path !== 'string' || !PATH_RE.test(r.path)) add(`${rp}.path`, `must start with "/" and use segments of letters, digits, . _ ~ - or {param} (received: ${show(r.path)}), e.g. "/orders/{id}"`);
      const key = `${r.method} ${typeof r.path === 'string' ? r.path.replace(/\{[^}]+\}/g, '{}') : ''}`;
      if (routeKeys.has(key)) add(rp, `duplicate route ${r.method} ${r.path} in ${api.name} ${api.version} (two routes would match the same requests); remove one or merge them`);
      routeKeys.add(key);
      (r.scopes ?? []).forEach((s, k) => {
        if (!declared.has(s)) add(`${rp}.scopes[${k}]`, `unknown scope (received: ${show(s)}); declare it in ${p}.scopes (declared: ${show([...declared])})`);
      });
      if (r.plan !== undefined && !planNames.includes(r.plan)) add(`${rp}.plan`, `unknown plan (received: ${show(r.plan)}); use one of ${show(planNames)}`);
      if (r.public) {
        if (r.scopes && r.scopes.length > 0) add(`${rp}.scopes`, `a public route cannot require scopes (received: ${show(r.scopes)}); remove public or the scopes`);
        if (!r.publicReason || r.publicReason.trim().length < 10) add(`${rp}.publicReason`, `a public route needs a reason an assessor would accept (received: ${show(r.publicReason)}), e.g. "Route 53 health check: liveness, returns no data"`);
        if (r.body !== undefined) add(`${rp}.body`, 'a public route cannot accept a body (received: a body schema); require authorization for writes');
      }
      if (r.body !== undefined) {
        if (!BODY_METHODS.has(r.method)) add(`${rp}.body`, `${r.method} requests carry no body (received: a body schema); use POST, PUT or PATCH, or remove body`);
        else if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) add(`${rp}.body`, `must be a JSON Schema object (received: ${show(r.body)})`);
        else issues.push(...checkRequestSchema(r.body, `${rp}.body`));
      }
      (r.requiredQuery ?? []).forEach((q, k) => {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(q)) add(`${rp}.requiredQuery[${k}]`, `must be a query parameter name (received: ${show(q)})`);
      });
      if (r.timeoutMs !== undefined && !(Number.isInteger(r.timeoutMs) && r.timeoutMs >= 50 && r.timeoutMs <= 29_000)) {
        add(`${rp}.timeoutMs`, `must be 50 to 29000 ms (received: ${show(r.timeoutMs)}); API Gateway's integration timeout limit`);
      }
      if (r.authorizerCacheSeconds !== undefined && !isSeconds(r.authorizerCacheSeconds, 300)) {
        add(`${rp}.authorizerCacheSeconds`, `must be a whole number from 0 to 300 (received: ${show(r.authorizerCacheSeconds)}); API Gateway's authorizer cache limit`);
      }
    });
    const ttls = new Set((api.routes ?? []).filter((r) => !r.public)
      .map((r) => (api.mtls ? 0 : r.authorizerCacheSeconds ?? id.revocation?.gatewayCacheSeconds)));
    if (ttls.size > MAX_AUTHORIZERS_PER_API) {
      add(`${p}.routes`, `uses ${ttls.size} distinct authorizerCacheSeconds values (received: ${show([...ttls])}); each needs its own gateway authorizer `
        + `and API Gateway allows ${MAX_AUTHORIZERS_PER_API} per API: use fewer values`);
    }
  });

  issues.push(...deployLimitIssues(spec));

  // app clients: scopes they request must be declared by some API
  const allScopes = new Set((spec.apis ?? []).flatMap((a) => Object.keys(a.scopes ?? {})));
  (up?.clients ?? []).forEach((c, i) => {
    const p = `identity.userPool.clients[${i}]`;
    if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(c.name ?? '')) add(`${p}.name`, `must be letters, digits and hyphens (received: ${show(c.name)})`);
    if (c.kind !== 'machine' && c.kind !== 'public') add(`${p}.kind`, `must be "machine" or "public" (received: ${show(c.kind)})`);
    (c.scopes ?? []).forEach((s, k) => {
      if (!allScopes.has(s)) add(`${p}.scopes[${k}]`, `unknown scope (received: ${show(s)}); declare it in an API's scopes (declared: ${show([...allScopes])})`);
    });
    if (c.kind === 'public') {
      if (!c.callbackUrls || c.callbackUrls.length === 0) add(`${p}.callbackUrls`, 'a public client needs at least one https redirect URI (received: none)');
      (c.callbackUrls ?? []).forEach((u, k) => {
        if (!isHttpsUrl(u)) add(`${p}.callbackUrls[${k}]`, `must be an https URL (received: ${show(u)}); an http redirect leaks authorization codes`);
      });
    }
  });

  // domain
  const d = spec.domain;
  if (d) {
    if (!FQDN_RE.test(d.domainName ?? '')) add('domain.domainName', `must be a lowercase fully qualified domain name (received: ${show(d.domainName)}), e.g. "api.example.com"`);
    if (!d.hostedZone || !FQDN_RE.test(d.hostedZone.zoneName ?? '') || !d.hostedZone.hostedZoneId) {
      add('domain.hostedZone', `must give zoneName and hostedZoneId (received: ${show(d.hostedZone)})`);
    } else if (d.domainName && !(d.domainName === d.hostedZone.zoneName || d.domainName.endsWith(`.${d.hostedZone.zoneName}`))) {
      add('domain.domainName', `is not inside the hosted zone (received: ${show(d.domainName)} in zone ${show(d.hostedZone.zoneName)}); use a name under the zone`);
    }
    if (d.tlsPolicy !== undefined && !(Object.values(TlsPolicy) as string[]).includes(d.tlsPolicy)) {
      add('domain.tlsPolicy', `must be one of ${Object.values(TlsPolicy).join(', ')} (received: ${show(d.tlsPolicy)})`);
    }
    if (d.mtls) {
      if (!FQDN_RE.test(d.mtls.domainName ?? '')) add('domain.mtls.domainName', `must be a lowercase fully qualified domain name (received: ${show(d.mtls.domainName)})`);
      else if (d.mtls.domainName === d.domainName) add('domain.mtls.domainName', `must differ from domain.domainName (received: ${show(d.mtls.domainName)}); API Gateway refuses mTLS on the TLS 1.3 public domain, so partners get their own`);
      if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.pem$/.test(d.mtls.truststoreUri ?? '')) {
        add('domain.mtls.truststoreUri', `must be an s3:// URI of a PEM bundle (received: ${show(d.mtls.truststoreUri)}), e.g. "s3://my-truststore/partners.pem"`);
      }
    }
  }

  // CORS
  if (spec.cors) {
    if (!Array.isArray(spec.cors.allowOrigins) || spec.cors.allowOrigins.length === 0) add('cors.allowOrigins', 'must list at least one origin (received: none); leave cors out to disable CORS');
    (spec.cors.allowOrigins ?? []).forEach((o, i) => {
      if (o === '*') add(`cors.allowOrigins[${i}]`, 'a wildcard origin lets any site call the API with its users\' tokens (received: "*"); list the exact origins, e.g. "https://app.example.com"');
      else if (!isHttpsUrl(o) || new URL(o).origin !== o) add(`cors.allowOrigins[${i}]`, `must be an https origin without path or trailing slash (received: ${show(o)}), e.g. "https://app.example.com"`);
    });
  }

  // edge
  const e = spec.edge;
  if (e) {
    for (const k of ['rateLimitPerIp', 'rateLimitPerApiKey'] as const) {
      const v = e[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 10 && v <= 2_000_000_000)) add(`edge.${k}`, `must be a whole number of requests per 5 minutes from 10 to 2000000000 (received: ${show(v)}); WAF rate-based rules' limits`);
    }
    if (e.maxBodyBytes !== undefined && !(Number.isInteger(e.maxBodyBytes) && e.maxBodyBytes >= 1 && e.maxBodyBytes <= 65_536)) {
      add('edge.maxBodyBytes', `must be 1 to 65536 bytes (received: ${show(e.maxBodyBytes)}); WAF inspects at most 64 KB of a body, so a larger cap could not be enforced`);
    }
    (e.blockCountries ?? []).forEach((c, i) => {
      if (!COUNTRY_RE.test(c)) add(`edge.blockCountries[${i}]`, `must be an ISO 3166-1 alpha-2 code (received: ${show(c)}), e.g. "KP"`);
    });
    for (const k of ['denyCidrs', 'allowCidrs'] as const) {
      (e[k] ?? []).forEach((c, i) => {
        if (!isCidr(c)) add(`edge.${k}[${i}]`, `must be an IPv4 or IPv6 CIDR (received: ${show(c)}), e.g. "203.0.113.0/24"`);
      });
    }
    if (e.shieldAdvanced && (!e.emergencyContacts || e.emergencyContacts.length === 0)) {
      add('edge.emergencyContacts', 'Shield Advanced proactive engagement needs at least one contact (received: none); add { email, phone }');
    }
    (e.emergencyContacts ?? []).forEach((c, i) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.email ?? '')) add(`edge.emergencyContacts[${i}].email`, `must be an email address (received: ${show(c.email)})`);
      if (c.phone !== undefined && !/^\+[1-9]\d{6,14}$/.test(c.phone)) add(`edge.emergencyContacts[${i}].phone`, `must be in E.164 form (received: ${show(c.phone)}), e.g. "+15555550100"`);
    });
    if (e.apiKeyHeader !== undefined && !HEADER_RE.test(e.apiKeyHeader.toLowerCase())) add('edge.apiKeyHeader', `must be a header name (received: ${show(e.apiKeyHeader)}), e.g. "x-api-key"`);
  }

  // audit and log retention against the profiles' minimums
  const profiles = (spec.compliance ?? []).filter((p) => p in PROFILE_MINIMUMS);
  const strictest = (pick: (p: ComplianceProfile) => number): [number, ComplianceProfile | undefined] =>
    profiles.reduce<[number, ComplianceProfile | undefined]>((acc, p) => (pick(p) > acc[0] ? [pick(p), p] : acc), [0, undefined]);
  const a = spec.audit;
  if (a) {
    if (a.retentionYears !== undefined) {
      const [min, by] = strictest((p) => PROFILE_MINIMUMS[p].auditRetentionYears);
      if (!Number.isInteger(a.retentionYears) || a.retentionYears < 1 || a.retentionYears > 100) add('audit.retentionYears', `must be a whole number of years from 1 to 100 (received: ${show(a.retentionYears)})`);
      else if (a.retentionYears < min && !a.demo) add('audit.retentionYears', `is below the ${by} minimum of ${min} years (received: ${a.retentionYears}); raise it to at least ${min}`);
    }
    if (a.logRetentionDays !== undefined) {
      const [min, by] = strictest((p) => PROFILE_MINIMUMS[p].logRetentionDays);
      if (!Number.isInteger(a.logRetentionDays) || a.logRetentionDays < 1) add('audit.logRetentionDays', `must be a positive whole number of days (received: ${show(a.logRetentionDays)})`);
      else if (a.logRetentionDays < min) add('audit.logRetentionDays', `is below the ${by} minimum of ${min} days (received: ${a.logRetentionDays}); raise it to at least ${min}`);
    }
    (a.sensitiveFields ?? []).forEach((f, i) => {
      if (!/^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(f)) add(`audit.sensitiveFields[${i}]`, `must be a log field name (received: ${show(f)})`);
    });
  }

  const o = spec.observability;
  const latency = o?.latencyObjectiveMs;
  if (latency !== undefined && !(Number.isInteger(latency) && latency >= 10 && latency <= 29_000)) {
    add('observability.latencyObjectiveMs', `must be 10 to 29000 ms (received: ${show(latency)})`);
  }
  (o?.alarmEmails ?? []).forEach((m, i) => {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(m)) add(`observability.alarmEmails[${i}]`, `must be an email address (received: ${show(m)})`);
  });

  const res = spec.resilience;
  if (res) {
    for (const k of ['authorizerConcurrency', 'backendConcurrency'] as const) {
      const v = res[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 200)) {
        add(`resilience.${k}`, `must be 1 to 200 (received: ${show(v)}); reserved concurrency beyond the account's unreserved minimum makes the deployment fail in a new account`);
      }
    }
    const t = res.stageThrottle;
    if (t && !(t.rate > 0 && Number.isInteger(t.burst) && t.burst >= t.rate)) {
      add('resilience.stageThrottle', `needs rate > 0 and a whole burst >= rate (received: ${show(t)})`);
    }
  }
  return issues;
}

/**
 * What would fail at deploy rather than at synth: API Gateway's path resources and authorizers per REST API, a body
 * model too large for a template, and a regional stack past CloudFormation's resource limit even at its floor.
 */
function deployLimitIssues(spec: PlatformSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const cors = (spec.cors?.allowOrigins?.length ?? 0) > 0;
  const layouts: RouteLayout[] = [];
  (Array.isArray(spec.apis) ? spec.apis : []).forEach((api, i) => {
    const routes = (Array.isArray(api.routes) ? api.routes : []).filter((r) => typeof r.path === 'string' && PATH_RE.test(r.path));
    if (routes.length === 0) return;
    const layout = apiRouteLayout(routes, cors);
    layouts.push(layout);
    const p = `apis[${i}]`;
    if (exceeds(layout.restApiResources, 'resourcesPerRestApi')) {
      issues.push({ path: `${p}.routes`, message: `needs ${layout.restApiResources} path resources, over API Gateway's limit of ${LIMIT_NAMES.resourcesPerRestApi}; split the routes over more API names or versions, or share path segments` });
    }
    routes.forEach((r, j) => {
      const bytes = r.body === undefined ? 0 : JSON.stringify(r.body).length;
      if (bytes > ROUTE_LAYOUT.bytesPerRouteStack) {
        issues.push({ path: `${p}.routes[${j}].body`, message: `the schema is ${bytes} bytes and its model must fit one template with its method (${LIMIT_NAMES.templateBytes}, at most ${ROUTE_LAYOUT.bytesPerRouteStack} bytes left for a route); factor out repeated definitions or validate the rest in the backend` });
      }
    });
  });
  const floor = regionalStackFloor(layouts);
  if (exceeds(floor, 'resourcesPerStack')) {
    issues.push({ path: 'apis', message: `the regional stack would hold at least ${floor} resources (${layouts.length} APIs, the routes of small APIs kept in it), over CloudFormation's limit of ${LIMIT_NAMES.resourcesPerStack}; spread the APIs over more platforms or merge small APIs` });
  }
  return issues;
}

/** Throws `PlatformSpecError` listing every problem; returns the spec when it is valid. */
export function assertValidSpec(spec: PlatformSpec): PlatformSpec {
  const issues = validateSpec(spec);
  if (issues.length > 0) throw new PlatformSpecError(issues);
  return spec;
}
