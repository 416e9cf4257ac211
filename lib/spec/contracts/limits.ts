/**
 * Deployment limits of the cloud services the platform renders to, in one place: the spec validation refuses a spec
 * that would cross one at deploy, and the constructs check what they build against the same numbers.
 */

/** Hard limits that make a deployment fail (AWS quotas; adjustable ones at their default). */
export const DEPLOY_LIMITS = {
  /** CloudFormation: resources in one stack (a nested stack counts as one resource of its parent). */
  resourcesPerStack: 500,
  /** CloudFormation: bytes of one template uploaded through S3. */
  templateBytes: 1_000_000,
  /** API Gateway: path resources of one REST API (default quota). */
  resourcesPerRestApi: 300,
  /** API Gateway: authorizers of one REST API. */
  authorizersPerRestApi: 10,
  /** Lambda: bytes of one function's resource-based policy. */
  lambdaResourcePolicyBytes: 20_480,
  /** Lambda: bytes of all environment variables of one function (names and values). */
  lambdaEnvironmentBytes: 4_096,
} as const;

/** The name of each limit as error messages print it. */
export const LIMIT_NAMES: Readonly<Record<keyof typeof DEPLOY_LIMITS, string>> = {
  resourcesPerStack: `${DEPLOY_LIMITS.resourcesPerStack} resources per CloudFormation stack`,
  templateBytes: `${DEPLOY_LIMITS.templateBytes / 1_000_000} MB per CloudFormation template`,
  resourcesPerRestApi: `${DEPLOY_LIMITS.resourcesPerRestApi} resources per REST API`,
  authorizersPerRestApi: `${DEPLOY_LIMITS.authorizersPerRestApi} authorizers per REST API`,
  lambdaResourcePolicyBytes: `${DEPLOY_LIMITS.lambdaResourcePolicyBytes / 1024} KB per Lambda resource policy`,
  lambdaEnvironmentBytes: `${DEPLOY_LIMITS.lambdaEnvironmentBytes / 1024} KB of Lambda environment variables`,
};

/** Bytes of one invoke permission statement in a Lambda resource policy (Sid, principal, function and source ARNs). */
export const LAMBDA_PERMISSION_STATEMENT_BYTES = 400;
