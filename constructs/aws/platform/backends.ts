import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BackendFunction } from './backend-function';
import { ApiSpec, ResolvedSpec } from '../../../lib/spec';
import { FunctionNames } from '../../../lib/spec/contracts/names';
import { PlatformKeys } from '../keys/platform-keys';

/** What a backend factory gets to build an API's Lambda backend in one region. */
export interface BackendContext {
  readonly spec: ResolvedSpec;
  readonly api: ApiSpec;
  readonly region: string;
  /** This region's platform keys (use `logs` for the function, `data` for its tables). */
  readonly keys: PlatformKeys;
  /** This region's idempotency table (Powertools idempotency). */
  readonly idempotencyTable: dynamodb.ITableV2;
}

/** Options of `SecureApiPlatform.lambdaBackend`. */
export interface LambdaBackendOptions {
  /**
   * Tables of the backend's own data, created in `scope` (the idempotency table is always granted).
   * @default - none
   */
  readonly tables?: (ctx: BackendContext, scope: Construct) => (dynamodb.ITable | dynamodb.ITableV2)[];
  /**
   * Extra environment variables (no secrets).
   * @default - IDEMPOTENCY_TABLE only
   */
  readonly environment?: (ctx: BackendContext) => Record<string, string>;
  /**
   * Why the backend runs outside a VPC, in terms of what its code reaches (the reason of its LambdaInsideVPC
   * acknowledgments; see `BackendFunctionProps.noVpcReason`).
   * @default - no acknowledgment: the LambdaInsideVPC findings stand
   */
  readonly noVpcReason?: string;
}

/** Builds the Lambda backend of one API in one region (called once per region and API with a `lambda` backend). */
export type BackendFactory = (scope: Construct, context: BackendContext) => lambda.IFunction;

/**
 * A backend factory for a pre-built asset folder (bundled ahead of synth) with the platform's defaults (see
 * `BackendFunction`): the regional idempotency table and the given tables granted, IDEMPOTENCY_TABLE set.
 * Published as `SecureApiPlatform.lambdaBackend`.
 */
export function lambdaBackend(assetPath: string, options: LambdaBackendOptions = {}): BackendFactory {
  return (scope, ctx) => {
    const tables = [ctx.idempotencyTable, ...(options.tables?.(ctx, scope) ?? [])];
    return new BackendFunction(scope, 'Function', {
      spec: ctx.spec,
      description: `${ctx.api.name} ${ctx.api.version} in ${ctx.region}`,
      functionName: FunctionNames.backend(ctx.spec.name, ctx.api.name, ctx.api.version),
      noVpcReason: options.noVpcReason,
      code: lambda.Code.fromAsset(assetPath),
      key: ctx.keys.logs,
      tables,
      environment: { IDEMPOTENCY_TABLE: ctx.idempotencyTable.tableName, ...options.environment?.(ctx) },
    }).function;
  };
}
