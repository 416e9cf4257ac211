/**
 * The log contract: the fields of every log the platform writes or receives (API Gateway access logs as the stage
 * renders them, the authorizer's decision lines, WAF and CloudFront logs as AWS writes them), the metric-filter
 * patterns that read them, and the field paths redaction removes before a record reaches the 7-year archive.
 */
import { AUTHORIZATION_HEADER } from './identity';
import { CountedStatus } from './metrics';
import { ORIGIN_VERIFY_HEADER } from './names';

/**
 * The stage's access-log format: JSON, one line per request (no token, no body). API Gateway substitutes each
 * `$context` variable inside the quotes, so every value, `status` included, is a JSON string (`"status":"401"`).
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userAgent: '$context.identity.userAgent',
  principalId: '$context.authorizer.principalId',
  tenant: '$context.authorizer.tenantId',
  clientId: '$context.authorizer.clientId',
  apiKeyId: '$context.identity.apiKeyId',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  domainName: '$context.domainName',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  authorizerError: '$context.authorizer.error',
  wafStatus: '$context.waf.status',
  wafError: '$context.waf.error',
  wafLatency: '$context.waf.latency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  clientCertSerial: '$context.identity.clientCert.serialNumber',
  errorType: '$context.error.responseType',
};

/**
 * The metric-filter pattern that counts access-log lines of one status. The format renders `status` as a string, and
 * CloudWatch's numeric comparison (`= 401`) applies to number values only, so the pattern compares strings.
 */
export function accessLogStatusFilter(status: CountedStatus): string {
  return `{ $.status = "${status}" }`;
}

/** CloudTrail records that stop, delete or reconfigure a trail (`CloudTrailTampering`). */
export const CLOUDTRAIL_TAMPERING_FILTER = '{ ($.eventSource = "cloudtrail.amazonaws.com") && (($.eventName = "StopLogging") || ($.eventName = "DeleteTrail") '
  + '|| ($.eventName = "UpdateTrail") || ($.eventName = "PutEventSelectors")) }';

/** Failed calls CloudTrail itself made (S3 delivery, KMS) (`CloudTrailDeliveryFailure`). */
export const CLOUDTRAIL_DELIVERY_FAILURE_FILTER = '{ ($.userIdentity.invokedBy = "cloudtrail.amazonaws.com") && ($.errorCode = "*") }';

/**
 * Security log sources that reach the archive, each with its own record format:
 * - `apiAccess`: the stage's access log ({@link ACCESS_LOG_FIELDS});
 * - `authorizer`: the authorizer's decision and JWKS lines;
 * - `backend`: Lambda backends' JSON lines (Powertools logger; the event may be logged under `event`);
 * - `waf`: AWS WAF logs (regional and CLOUDFRONT web ACLs);
 * - `cloudfront`: CloudFront standard logging v2 in JSON.
 */
export type LogSource = 'apiAccess' | 'authorizer' | 'backend' | 'waf' | 'cloudfront';
export const LOG_SOURCES: readonly LogSource[] = ['apiAccess', 'authorizer', 'backend', 'waf', 'cloudfront'];

/**
 * Field paths, relative to the record's root: `a.b` (object members, names compared case-insensitively), `a[]`
 * (every element of an array), `a[name=X]` (elements whose `name` is X, case-insensitively: WAF's header lists), `*`
 * (every member). The value at a path is replaced by `"[REDACTED]"`, whatever its type.
 */
export type FieldPath = string;

/** Credentials and request content: redacted from every record of the source, whatever the spec says. */
export const ALWAYS_REDACTED_PATHS: Readonly<Record<LogSource, readonly FieldPath[]>> = {
  apiAccess: [],
  authorizer: [],
  backend: [
    ...[AUTHORIZATION_HEADER, 'cookie', 'x-api-key', ORIGIN_VERIFY_HEADER].map((h) => `event.headers.${h}`),
    ...[AUTHORIZATION_HEADER, 'cookie', 'x-api-key', ORIGIN_VERIFY_HEADER].map((h) => `event.multiValueHeaders.${h}`),
    'event.queryStringParameters', 'event.multiValueQueryStringParameters', 'event.body',
  ],
  waf: [
    ...[AUTHORIZATION_HEADER, 'cookie', 'set-cookie', 'x-api-key', ORIGIN_VERIFY_HEADER].map((h) => `httpRequest.headers[name=${h}].value`),
    'httpRequest.args',
    'terminatingRuleMatchDetails[].matchedData',
    'nonTerminatingMatchingRules[].ruleMatchDetails[].matchedData',
    'ruleGroupList[].terminatingRule.ruleMatchDetails[].matchedData',
    'ruleGroupList[].nonTerminatingMatchingRules[].ruleMatchDetails[].matchedData',
    'rateBasedRuleList[].customValues[].value',
  ],
  cloudfront: ['cs-uri-query', 'cs(Cookie)'],
};

/**
 * Where each sensitive field (a name `spec.audit.sensitiveFields` may list) sits in each source's records. Every
 * source has an entry (an empty list when the source does not carry the field), so a field no one mapped for some
 * source is an error at synth instead of a value in the archive.
 */
export const SENSITIVE_FIELD_PATHS: Readonly<Record<string, Readonly<Record<LogSource, readonly FieldPath[]>>>> = {
  ip: {
    apiAccess: ['ip'],
    authorizer: [],
    backend: ['event.requestContext.identity.sourceIp', 'event.headers.x-forwarded-for', 'event.multiValueHeaders.x-forwarded-for'],
    waf: ['httpRequest.clientIp', 'httpRequest.headers[name=x-forwarded-for].value', 'rateBasedRuleList[].limitValue'],
    cloudfront: ['c-ip', 'x-forwarded-for'],
  },
  userAgent: {
    apiAccess: ['userAgent'],
    authorizer: [],
    backend: ['event.requestContext.identity.userAgent', 'event.headers.user-agent', 'event.multiValueHeaders.user-agent'],
    waf: ['httpRequest.headers[name=user-agent].value'],
    cloudfront: ['cs(User-Agent)'],
  },
  caller: {
    apiAccess: ['caller'],
    authorizer: [],
    backend: ['event.requestContext.identity.caller'],
    waf: [],
    cloudfront: [],
  },
  tenant: {
    apiAccess: ['tenant'],
    authorizer: ['tenant'],
    backend: ['event.requestContext.authorizer.tenantId', 'tenant'],
    waf: [],
    cloudfront: [],
  },
  principal: {
    apiAccess: ['principalId'],
    authorizer: ['principal'],
    backend: ['event.requestContext.authorizer.principalId'],
    waf: [],
    cloudfront: [],
  },
  referer: {
    apiAccess: [],
    authorizer: [],
    backend: ['event.headers.referer'],
    waf: ['httpRequest.headers[name=referer].value'],
    cloudfront: ['cs(Referer)'],
  },
};

/** What the redaction function removes per source: the always-redacted paths and those of each sensitive field. */
export type RedactionPlan = Record<LogSource, FieldPath[]>;

/**
 * The redaction plan of `sensitiveFields` (plus `extra` paths per source). Throws when a field has no mapping for some
 * source (name it in {@link SENSITIVE_FIELD_PATHS}, or pass its paths for every source in `extra`).
 */
export type ExtraRedactions = Readonly<Record<string, Partial<Record<LogSource, readonly FieldPath[]>>>>;

export function redactionPlan(sensitiveFields: readonly string[], extra: ExtraRedactions = {}): RedactionPlan {
  const plan = Object.fromEntries(LOG_SOURCES.map((s) => [s, [...ALWAYS_REDACTED_PATHS[s]]])) as RedactionPlan;
  for (const field of sensitiveFields) {
    const known = SENSITIVE_FIELD_PATHS[field];
    const given = extra[field];
    const missing = LOG_SOURCES.filter((s) => !known?.[s] && !given?.[s]);
    if (missing.length > 0) {
      throw new Error(`sensitive field "${field}" has no field path for log source(s) ${missing.join(', ')} (known fields: ${Object.keys(SENSITIVE_FIELD_PATHS).join(', ')}); `
        + `pass its paths for each source (an empty list where the source does not carry it), e.g. { ${field}: { ${missing.map((s) => `${s}: ['<path>']`).join(', ')} } }`);
    }
    for (const s of LOG_SOURCES) plan[s].push(...(known?.[s] ?? []), ...(given?.[s] ?? []));
  }
  for (const [field, bySource] of Object.entries(extra)) {
    if (sensitiveFields.includes(field)) continue;
    for (const s of LOG_SOURCES) plan[s].push(...(bySource[s] ?? []));
  }
  for (const s of LOG_SOURCES) plan[s] = [...new Set(plan[s])];
  return plan;
}
