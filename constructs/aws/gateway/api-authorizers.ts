import { Annotations, Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AuthorizerFunction } from './authorizer-function';
import { AuthorizerConfig, IssuerConfig } from '../../../lib/authorizer/config';
import { ApiSpec, AUTHORIZATION_HEADER_NAME, ResolvedRoute, ResolvedSpec, scopePrefix } from '../../../lib/spec';
import { FunctionNames } from '../../../lib/spec/contracts/names';
import { externalIssuerConfigs } from '../../../lib/spec/issuers';

/** What one API version's authorizers are built from (the API's own props, and what SecureRestApi derived). */
export interface ApiAuthorizersProps {
  readonly spec: ResolvedSpec;
  readonly api: ApiSpec;
  /** The distinct gateway cache TTLs of the API's authorized routes, the most used first (it keeps the first construct id). */
  readonly ttls: number[];
  /** The API's authorized (non-public) routes. */
  readonly authorized: ResolvedRoute[];
  readonly key: kms.IKey;
  readonly restApiName: string;
  readonly issuers?: IssuerConfig[];
  readonly table?: dynamodb.ITable | dynamodb.ITableV2;
  readonly policies?: string;
  readonly cognitoUserPools?: cognito.IUserPool[];
}

/** One API version's authorizers: one per distinct cache TTL, all backed by one authorizer function (or Cognito). */
export interface ApiAuthorizers {
  readonly byTtl: Record<number, apigw.IAuthorizer>;
  readonly authorizerFunction?: AuthorizerFunction;
  readonly authorizerConfig?: AuthorizerConfig;
}

/**
 * Builds the API's authorizers in `scope` (the SecureRestApi): Cognito user pool authorizers when asked for, else the
 * platform's Lambda authorizer function with its configuration from the spec, behind one REQUEST authorizer per TTL.
 */
export function createApiAuthorizers(scope: Construct, props: ApiAuthorizersProps): ApiAuthorizers {
  const { spec, api, ttls, authorized } = props;
  const byTtl: Record<number, apigw.IAuthorizer> = {};
  if (props.cognitoUserPools && props.cognitoUserPools.length > 0) {
    const pools = props.cognitoUserPools;
    ttls.forEach((t, i) => {
      byTtl[t] = new apigw.CognitoUserPoolsAuthorizer(scope, i === 0 ? 'CognitoAuthorizer' : `CognitoAuthorizer${t}s`, {
        cognitoUserPools: pools, resultsCacheTtl: Duration.seconds(t),
      });
    });
    return { byTtl };
  }
  if (!props.table) {
    Annotations.of(scope).addWarningV2('@secure-api-platform/gateway:noTable', 'table is not set: the authorizer runs without revocation, tenant records and API keys; pass the platform\'s global table');
  }
  const tableName = props.table?.tableName;
  // Cognito scopes arrive as `<api name>/<scope>`: this API's authorizer accepts its own prefix only.
  const issuers = (props.issuers ?? externalIssuerConfigs(spec))
    .map((i) => (i.scopePrefixes ? { ...i, scopePrefixes: [scopePrefix(api.name)] } : i));
  const config: AuthorizerConfig = {
    issuers,
    routes: Object.fromEntries(authorized.map((r) => [r.key, { scopes: r.scopes }])),
    ...(tableName
      // Keys travel as `Authorization: ApiKey <key>` only: the gateway refuses a request without the Authorization header.
      ? { tableName, apiKeys: { header: null }, revocation: { cacheSeconds: spec.revocation.authorizerCacheSeconds } }
      : { revocation: { enabled: false }, tenants: { enabled: false } }),
    ...(props.policies ? { policies: props.policies } : {}),
  };
  const authorizerFunction = new AuthorizerFunction(scope, 'Authorizer', {
    spec,
    config,
    tableName,
    tableKey: props.table?.encryptionKey,
    key: props.key,
    description: props.restApiName,
    functionName: FunctionNames.authorizer(spec.name, api.name, api.version),
  });
  ttls.forEach((t, i) => {
    byTtl[t] = new apigw.RequestAuthorizer(scope, i === 0 ? 'LambdaAuthorizer' : `LambdaAuthorizer${t}s`, {
      handler: authorizerFunction.function,
      // The cache key: the credential, the method and the resource path, so per-route scopes and Cedar stay correct.
      identitySources: [
        apigw.IdentitySource.header(AUTHORIZATION_HEADER_NAME),
        apigw.IdentitySource.context('httpMethod'),
        apigw.IdentitySource.context('path'),
        apigw.IdentitySource.context('identity.sourceIp'),
      ],
      resultsCacheTtl: Duration.seconds(t),
    });
  });
  return { byTtl, authorizerFunction, authorizerConfig: config };
}
