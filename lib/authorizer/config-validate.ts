/**
 * {@link validateAuthorizerConfig}: checks an authorizer configuration (the JSON the handler reads once per cold start,
 * the shape the constructs render at synth time) and applies its defaults. Pure; throws an {@link AuthorizerConfigError}
 * naming the field, the value received and the fix.
 */
import { AuthorizerConfigError, IssuerConfig, ResolvedConfig, RouteConfig } from './config';
import {
  AUTHORIZATION_HEADER, DEFAULT_SIGNATURE_ALGORITHMS, isSignatureAlgorithm, SIGNATURE_ALGORITHMS, SignatureAlgorithm, TENANT_ID_PATTERN,
} from '../spec/contracts/identity';
import { AuthorizerMetrics } from '../spec/contracts/metrics';

const ROUTE_KEY = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|ANY) (\/[A-Za-z0-9._~:@!$&'()*+,;=%{}\-/]*)$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const CLAIM_NAME = /^[A-Za-z0-9_:./-]{1,128}$/;
const NAMESPACE = /^[A-Za-z0-9_./#:-]{1,255}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

function fail(field: string, value: unknown, fix: string): never {
  throw new AuthorizerConfigError(field, `${fix} (received: ${show(value)})`);
}

function checkUrl(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) fail(field, value, 'must be a non-empty URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(field, value, 'must be an absolute URL, e.g. "https://idp.example.com"');
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    fail(field, value, 'must use https (http is accepted for loopback hosts only: 127.0.0.1, ::1, localhost)');
  }
  if (url.username || url.password) fail(field, value, 'must not embed credentials');
  if (url.hash) fail(field, value, 'must not carry a #fragment');
}

function checkInt(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, value, `must be an integer between ${min} and ${max}`);
  }
}

function checkBool(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') fail(field, value, 'must be true or false');
}

/** `allowEmpty`: an empty list is meaningful (route scopes: none required). */
function checkStringList(field: string, value: unknown, pattern?: RegExp, allowEmpty = false): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || (value.length === 0 && !allowEmpty)) fail(field, value, 'must be a non-empty array of strings (or be left out)');
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || (pattern && !pattern.test(item))) {
      fail(`${field}[${i}]`, item, pattern ? `must be a string matching ${pattern}` : 'must be a non-empty string');
    }
  });
}

function checkObject(field: string, value: unknown): value is Record<string, unknown> {
  if (value === undefined) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, value, 'must be an object');
  return true;
}

function checkKnownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`${field}.${key}`, value[key], `is not a known option (known: ${known.join(', ')}); check the spelling`);
  }
}

const TOP_LEVEL_KEYS = [
  'issuers', 'routes', 'jwksTimeoutMs', 'jwksCacheSeconds', 'clockSkewSeconds', 'maxTokenLifetimeSeconds', 'policies',
  'tableName', 'storeTimeoutMs', 'apiKeys', 'revocation', 'tenants', 'certificateBinding', 'metricsNamespace',
] as const;
const ISSUER_KEYS = [
  'issuer', 'jwksUri', 'audience', 'clientIds', 'algorithms', 'tokenUse', 'tenantClaim', 'requireJti', 'scopePrefixes', 'tenants', 'mfaClaim',
] as const;

/** Options of {@link validateAuthorizerConfig}. */
export interface ValidateOptions {
  /**
   * Stores that will be injected into `createAuthorizer` instead of being built from `tableName`.
   * @default - none: every enabled store needs `tableName`
   */
  readonly injectedStores?: ReadonlyArray<'apiKeys' | 'revocations' | 'tenants'>;
}

/**
 * Validates an authorizer configuration (pure: no I/O, does not change its input) and returns it with every default
 * applied. Throws an {@link AuthorizerConfigError} naming the field, the value received and the fix. Cedar policy
 * syntax is checked separately by `checkCedarPolicies` (it loads the Cedar engine).
 */
export function validateAuthorizerConfig(config: unknown, options: ValidateOptions = {}): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return fail('(root)', config, 'must be an object with at least `issuers` and `routes`');
  }
  const c = config as Record<string, unknown>;
  checkKnownKeys('(root)', c, TOP_LEVEL_KEYS);

  if (!Array.isArray(c.issuers)) fail('issuers', c.issuers, 'must be an array of issuer objects (may be empty only when `apiKeys` is set)');
  const issuersIn = c.issuers as unknown[];
  if (issuersIn.length === 0 && c.apiKeys === undefined) {
    fail('issuers', issuersIn, 'must list at least one issuer, or set `apiKeys` for an API-key-only authorizer');
  }
  const seen = new Set<string>();
  const issuers = issuersIn.map((raw, i) => {
    const f = `issuers[${i}]`;
    if (!checkObject(f, raw)) return fail(f, raw, 'must be an object');
    checkKnownKeys(f, raw, ISSUER_KEYS);
    checkUrl(`${f}.issuer`, raw.issuer);
    checkUrl(`${f}.jwksUri`, raw.jwksUri);
    const issuer = raw.issuer as string;
    if (seen.has(issuer)) fail(`${f}.issuer`, issuer, 'is listed twice; merge the two entries');
    seen.add(issuer);
    checkStringList(`${f}.audience`, raw.audience);
    checkStringList(`${f}.clientIds`, raw.clientIds);
    if (raw.audience === undefined && raw.clientIds === undefined) {
      fail(f, { issuer }, 'needs `audience` (the `aud` values to accept) or `clientIds` (Cognito access tokens carry `client_id`, not `aud`)');
    }
    checkStringList(`${f}.algorithms`, raw.algorithms);
    for (const [j, alg] of ((raw.algorithms as string[] | undefined) ?? []).entries()) {
      if (!isSignatureAlgorithm(alg)) {
        fail(`${f}.algorithms[${j}]`, alg, `must be one of ${SIGNATURE_ALGORITHMS.join(', ')} (none and HMAC are never accepted)`);
      }
    }
    if (raw.tokenUse !== undefined && raw.tokenUse !== 'access' && raw.tokenUse !== 'id') {
      fail(`${f}.tokenUse`, raw.tokenUse, "must be 'access' or 'id' (or be left out)");
    }
    if (raw.tenantClaim !== undefined && (typeof raw.tenantClaim !== 'string' || !CLAIM_NAME.test(raw.tenantClaim))) {
      fail(`${f}.tenantClaim`, raw.tenantClaim, `must be a claim name matching ${CLAIM_NAME}`);
    }
    checkBool(`${f}.requireJti`, raw.requireJti);
    checkStringList(`${f}.scopePrefixes`, raw.scopePrefixes);
    for (const [j, prefix] of ((raw.scopePrefixes as string[] | undefined) ?? []).entries()) {
      if (prefix.includes('/') || prefix.length === 0) fail(`${f}.scopePrefixes[${j}]`, prefix, 'must be a resource-server identifier without "/" (the "/" separator is implied)');
    }
    checkStringList(`${f}.tenants`, raw.tenants, TENANT_ID_PATTERN);
    if (raw.mfaClaim !== undefined && (typeof raw.mfaClaim !== 'string' || !CLAIM_NAME.test(raw.mfaClaim))) {
      fail(`${f}.mfaClaim`, raw.mfaClaim, `must be a claim name matching ${CLAIM_NAME}`);
    }
    return {
      ...(raw as unknown as IssuerConfig),
      algorithms: [...new Set((raw.algorithms as SignatureAlgorithm[] | undefined) ?? DEFAULT_SIGNATURE_ALGORITHMS)],
      tenantClaim: (raw.tenantClaim as string | undefined) ?? 'tenant_id',
      requireJti: (raw.requireJti as boolean | undefined) ?? true,
      scopePrefixes: [...((raw.scopePrefixes as string[] | undefined) ?? [])],
    };
  });

  if (!checkObject('routes', c.routes)) return fail('routes', c.routes, "must be an object like { 'GET /orders/{id}': { scopes: ['orders:read'] } }");
  const routes = new Map<string, { scopes: string[] }>();
  for (const [key, route] of Object.entries(c.routes)) {
    if (!ROUTE_KEY.test(key)) fail(`routes["${key}"]`, key, "key must be 'METHOD /resource' with an upper-case method and the API Gateway resource path, e.g. 'GET /orders/{id}'");
    if (!checkObject(`routes["${key}"]`, route)) fail(`routes["${key}"]`, route, 'must be an object (use {} for no scopes)');
    checkKnownKeys(`routes["${key}"]`, route as Record<string, unknown>, ['scopes']);
    const scopes = (route as RouteConfig).scopes;
    checkStringList(`routes["${key}"].scopes`, scopes, /^[\x21\x23-\x5B\x5D-\x7E]+$/, true);
    routes.set(key, { scopes: [...new Set(scopes ?? [])] });
  }
  if (routes.size === 0) fail('routes', c.routes, 'must list at least one route: an authorizer without routes denies everything');

  checkInt('jwksTimeoutMs', c.jwksTimeoutMs, 50, 10_000);
  checkInt('jwksCacheSeconds', c.jwksCacheSeconds, 60, 86_400);
  checkInt('clockSkewSeconds', c.clockSkewSeconds, 0, 300);
  checkInt('maxTokenLifetimeSeconds', c.maxTokenLifetimeSeconds, 60, 7 * 86_400);
  checkInt('storeTimeoutMs', c.storeTimeoutMs, 20, 10_000);
  if (c.policies !== undefined && (typeof c.policies !== 'string' || c.policies.trim() === '')) {
    fail('policies', c.policies, 'must be non-empty Cedar policy text (or be left out)');
  }
  if (c.tableName !== undefined && (typeof c.tableName !== 'string' || !TABLE_NAME.test(c.tableName))) {
    fail('tableName', c.tableName, `must be a DynamoDB table name matching ${TABLE_NAME}`);
  }
  if (c.metricsNamespace !== undefined && (typeof c.metricsNamespace !== 'string' || !NAMESPACE.test(c.metricsNamespace))) {
    fail('metricsNamespace', c.metricsNamespace, `must be a CloudWatch namespace matching ${NAMESPACE}`);
  }

  let apiKeys: ResolvedConfig['apiKeys'];
  if (checkObject('apiKeys', c.apiKeys)) {
    checkKnownKeys('apiKeys', c.apiKeys, ['header', 'cacheSeconds']);
    const header = c.apiKeys.header === undefined ? 'x-api-key' : c.apiKeys.header;
    if (header !== null) {
      if (typeof header !== 'string' || !HEADER_NAME.test(header)) fail('apiKeys.header', header, `must be a header name matching ${HEADER_NAME}, or null`);
      if ((header as string).toLowerCase() === AUTHORIZATION_HEADER) {
        fail('apiKeys.header', header, 'must not be `authorization` (keys are always accepted there as `ApiKey <key>`); use null for the Authorization header only');
      }
    }
    checkInt('apiKeys.cacheSeconds', c.apiKeys.cacheSeconds, 0, 3600);
    const cacheSeconds = (c.apiKeys.cacheSeconds as number | undefined) ?? 60;
    apiKeys = header === null ? { cacheSeconds } : { header: (header as string).toLowerCase(), cacheSeconds };
  }

  const revocationIn = checkObject('revocation', c.revocation) ? c.revocation : {};
  checkKnownKeys('revocation', revocationIn, ['enabled', 'failOpen', 'cacheSeconds']);
  checkBool('revocation.enabled', revocationIn.enabled);
  checkBool('revocation.failOpen', revocationIn.failOpen);
  checkInt('revocation.cacheSeconds', revocationIn.cacheSeconds, 0, 300);
  const revocation = {
    enabled: (revocationIn.enabled as boolean | undefined) ?? true,
    failOpen: (revocationIn.failOpen as boolean | undefined) ?? false,
    cacheSeconds: (revocationIn.cacheSeconds as number | undefined) ?? 30,
  };

  const tenantsIn = checkObject('tenants', c.tenants) ? c.tenants : {};
  checkKnownKeys('tenants', tenantsIn, ['enabled', 'cacheSeconds']);
  checkBool('tenants.enabled', tenantsIn.enabled);
  checkInt('tenants.cacheSeconds', tenantsIn.cacheSeconds, 0, 3600);
  const tenants = { enabled: (tenantsIn.enabled as boolean | undefined) ?? true, cacheSeconds: (tenantsIn.cacheSeconds as number | undefined) ?? 60 };

  const bindingIn = checkObject('certificateBinding', c.certificateBinding) ? c.certificateBinding : {};
  checkKnownKeys('certificateBinding', bindingIn, ['required']);
  checkBool('certificateBinding.required', bindingIn.required);

  const injected = new Set(options.injectedStores ?? []);
  if (c.tableName === undefined) {
    if (revocation.enabled && !injected.has('revocations')) {
      fail('tableName', c.tableName, 'is required while revocation is enabled (the default); set it, or opt out with `revocation: { enabled: false }`');
    }
    if (tenants.enabled && !injected.has('tenants')) {
      fail('tableName', c.tableName, 'is required while tenant records are enabled (the default); set it, or opt out with `tenants: { enabled: false }`');
    }
    if (apiKeys && !injected.has('apiKeys')) fail('tableName', c.tableName, 'is required when `apiKeys` is set (keys are looked up by hash in the table)');
  }

  return {
    issuers,
    routes,
    jwksTimeoutMs: (c.jwksTimeoutMs as number | undefined) ?? 1500,
    jwksCacheSeconds: (c.jwksCacheSeconds as number | undefined) ?? 3600,
    clockSkewSeconds: (c.clockSkewSeconds as number | undefined) ?? 60,
    maxTokenLifetimeSeconds: (c.maxTokenLifetimeSeconds as number | undefined) ?? 86_400,
    policies: c.policies as string | undefined,
    tableName: c.tableName as string | undefined,
    storeTimeoutMs: (c.storeTimeoutMs as number | undefined) ?? 500,
    apiKeys,
    revocation,
    tenants,
    certificateBinding: { required: (bindingIn.required as boolean | undefined) ?? false },
    metricsNamespace: (c.metricsNamespace as string | undefined) ?? AuthorizerMetrics.namespace,
  };
}
