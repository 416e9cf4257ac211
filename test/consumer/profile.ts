import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The security-relevant properties of a cloud assembly, per resource type: what a consumer's app without the
 * example's cdk.json must get exactly as the example does (the constructs set what they rely on, never a feature flag).
 * Each entry is the set of distinct values the assembly's resources of that type have.
 */
export type SecurityProfile = Record<string, string[]>;

type Resource = { Type: string; Properties?: Record<string, any> };
const pick = (o: Record<string, any> | undefined, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o?.[k] ?? null]));

/** Projections of the properties that make each control real (values that depend on names or the spec are left out). */
const PROJECTIONS: Record<string, (p: Record<string, any>) => unknown> = {
  'AWS::ApiGateway::RestApi': (p) => pick(p, ['DisableExecuteApiEndpoint', 'EndpointConfiguration', 'ApiKeySourceType']),
  'AWS::ApiGateway::Stage': (p) => ({
    ...pick(p, ['TracingEnabled']),
    methodSettings: (p.MethodSettings ?? []).map((m: any) => pick(m, ['LoggingLevel', 'DataTraceEnabled', 'MetricsEnabled'])),
    accessLogFormat: p.AccessLogSetting?.Format ?? null,
  }),
  'AWS::ApiGateway::DomainName': (p) => pick(p, ['SecurityPolicy', 'EndpointAccessMode', 'EndpointConfiguration']),
  'AWS::ApiGateway::Account': () => 'present',
  'AWS::ApiGateway::RequestValidator': (p) => pick(p, ['ValidateRequestBody', 'ValidateRequestParameters']),
  'AWS::S3::Bucket': (p) => ({
    ...pick(p, ['PublicAccessBlockConfiguration', 'VersioningConfiguration', 'OwnershipControls']),
    sse: (p.BucketEncryption?.ServerSideEncryptionConfiguration ?? []).map((c: any) => c.ServerSideEncryptionByDefault?.SSEAlgorithm),
  }),
  'AWS::S3::BucketPolicy': (p) => JSON.stringify(p.PolicyDocument?.Statement ?? []).includes('aws:SecureTransport'),
  'AWS::KMS::Key': (p) => pick(p, ['EnableKeyRotation', 'KeySpec', 'KeyUsage']),
  'AWS::Lambda::Function': (p) => (p.Description ? { ...pick(p, ['Runtime', 'Architectures', 'TracingConfig']), envKey: p.KmsKeyArn !== undefined } : 'provider'),
  'AWS::Logs::LogGroup': (p) => ({ encrypted: p.KmsKeyId !== undefined }),
  'AWS::CloudFront::Distribution': (p) => ({
    viewer: pick(p.DistributionConfig?.ViewerCertificate, ['MinimumProtocolVersion', 'SslSupportMethod']),
    protocol: p.DistributionConfig?.DefaultCacheBehavior?.ViewerProtocolPolicy ?? null,
  }),
  'AWS::Cognito::UserPool': (p) => pick(p, ['MfaConfiguration', 'UserPoolAddOns', 'DeletionProtection']),
  'AWS::DynamoDB::GlobalTable': (p) => ({ sse: p.SSESpecification ?? null, deletionProtection: (p.Replicas ?? []).map((r: any) => r.DeletionProtectionEnabled ?? null) }),
  'AWS::CloudTrail::Trail': (p) => pick(p, ['EnableLogFileValidation', 'IsMultiRegionTrail', 'IncludeGlobalServiceEvents']),
  'AWS::WAFv2::WebACL': (p) => pick(p, ['Scope', 'DefaultAction']),
  'Custom::AWS': (p) => pick(p, ['InstallLatestAwsSdk']),
};

/** Reads every template of a cloud assembly (`cdk.out`) and returns its security profile. */
export function securityProfile(assemblyDir: string): SecurityProfile {
  const profile: Record<string, Set<string>> = {};
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a synthesized assembly folder
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'))) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename
    const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as { Resources?: Record<string, Resource> };
    for (const r of Object.values(template.Resources ?? {})) {
      const project = PROJECTIONS[r.Type];
      if (!project) continue;
      (profile[r.Type] ??= new Set()).add(JSON.stringify(project(r.Properties ?? {})));
    }
  }
  return Object.fromEntries(Object.keys(profile).sort().map((k) => [k, [...profile[k]].sort()]));
}

/** The resource types both profiles have whose values differ, with both sides (an empty object: equal). */
export function profileDifferences(a: SecurityProfile, b: SecurityProfile): Record<string, { consumer: string[]; example: string[] }> {
  const out: Record<string, { consumer: string[]; example: string[] }> = {};
  for (const type of Object.keys(a).filter((t) => t in b)) {
    if (JSON.stringify(a[type]) !== JSON.stringify(b[type])) out[type] = { consumer: a[type], example: b[type] };
  }
  return out;
}
