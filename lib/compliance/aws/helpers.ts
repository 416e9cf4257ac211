import { CfnResource } from 'aws-cdk-lib';
import { IndexedResource, isObject, Json, JsonObject, referencedIds, RuleContext, StackIndex, stackIndex } from './rule';

/**
 * API Gateway helpers shared by the platform rules: the resource path of a method, whether it is a CORS preflight,
 * whether the spec names it public. Cross-resource lookups stay inside the method's stack (where CDK puts them).
 */

/** The resource path of a REST API method (`/orders/{id}`), or undefined when it cannot be derived. */
export function methodPath(methodProps: JsonObject, index: StackIndex): string | undefined {
  const segments: string[] = [];
  let ref: Json | undefined = methodProps.ResourceId;
  for (let depth = 0; depth < 64; depth++) {
    if (isObject(ref) && Array.isArray(ref['Fn::GetAtt']) && ref['Fn::GetAtt'][1] === 'RootResourceId') {
      return '/' + segments.reverse().join('/');
    }
    const ids = referencedIds(ref);
    const resource: IndexedResource | undefined = ids.length === 1 && isObject(ref) && 'Ref' in ref ? index.byId.get(ids[0]) : undefined;
    if (!resource || resource.type !== 'AWS::ApiGateway::Resource' || typeof resource.props.PathPart !== 'string') return undefined;
    segments.push(resource.props.PathPart);
    ref = resource.props.ParentId;
  }
  return undefined;
}

/** A CORS preflight: OPTIONS answered by a MOCK integration (it never reaches a backend). */
export function isCorsPreflight(methodProps: JsonObject): boolean {
  const integration = methodProps.Integration;
  return methodProps.HttpMethod === 'OPTIONS' && isObject(integration) && integration.Type === 'MOCK';
}

/** `AuthorizationType` NONE (or absent: API Gateway's default is NONE). */
export function isUnauthorized(methodProps: JsonObject): boolean {
  const t = methodProps.AuthorizationType;
  return t === undefined || t === 'NONE';
}

const normalize = (path: string): string => (path.replace(/\{[^}]+\}/g, '{}').replace(/\/+$/, '') || '/');

/** Whether the spec names `METHOD path` public (path with or without a `/v1` base path segment). */
export function isSpecPublic(method: string, path: string, ctx: RuleContext): boolean {
  const p = normalize(path);
  return ctx.publicRoutes.some((r) => {
    if (r.method !== method) return false;
    const rp = normalize(r.path);
    if (p === rp) return true;
    const versioned = /^\/(v\d+)(\/.*)$/.exec(p);
    return versioned !== null && versioned[2] === rp && (r.version === undefined || r.version === versioned[1]);
  });
}

/** The logical id of the RestApi a resource points at through `RestApiId`, when it is a plain Ref. */
export function restApiIdOf(props: JsonObject): string | undefined {
  const ref = props.RestApiId ?? props.ApiId;
  return isObject(ref) && typeof ref.Ref === 'string' ? ref.Ref : undefined;
}

/** The methods of the stack that belong to the RestApi with logical id `apiId`. */
export function methodsOf(node: CfnResource, apiId: string): IndexedResource[] {
  return stackIndex(node).ofType('AWS::ApiGateway::Method').filter((m) => restApiIdOf(m.props) === apiId);
}

/** `isAuthorizedApi` by stack index and API id: rules ask it for every CORS method and gateway response of an API. */
const authorizedApis = new WeakMap<StackIndex, Map<string, boolean>>();

/** Whether any method of the API requires authorization (unknown API: assumed authorized, failing closed). */
export function isAuthorizedApi(node: CfnResource, apiId: string | undefined): boolean {
  if (apiId === undefined) return true;
  const index = stackIndex(node);
  let known = authorizedApis.get(index);
  if (!known) authorizedApis.set(index, known = new Map());
  let authorized = known.get(apiId);
  if (authorized === undefined) {
    const api = index.byId.get(apiId);
    authorized = api?.type === 'AWS::ApiGatewayV2::Api'
      ? index.ofType('AWS::ApiGatewayV2::Route').some((r) => restApiIdOf(r.props) === apiId && r.props.AuthorizationType !== undefined && r.props.AuthorizationType !== 'NONE')
      : methodsOf(node, apiId).some((m) => !isUnauthorized(m.props));
    known.set(apiId, authorized);
  }
  return authorized;
}

/** Serialized form of a value, for "does this ARN expression mention X" checks. */
export function serialized(v: Json | undefined): string {
  return JSON.stringify(v ?? null);
}
