import * as path from 'node:path';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { AWS_REGION_PATTERN, ORIGIN_VERIFY_DISTRIBUTION_TAG } from '../../../lib/spec/contracts/names';
import { keyUseStatement, nagRef } from '../common/key-grants';
import { packageRoot } from '../common/lambda-runtime';
import { PlatformNames } from '../common/names';
import { PlatformFunction } from '../common/platform-function';
import { rotationSchedule } from '../common/rotation-schedule';
import { KeyPurpose } from '../common/security-names';

/**
 * Where a rotation writes the new value: the regional web ACLs that require the header, and the CloudFront
 * distribution that sends it. Every field defaults to what `SecureApiPlatform` creates from the spec.
 */
export interface OriginVerifyPropagation {
  /**
   * Regions whose regional web ACL matches the header.
   * @default - spec.regions
   */
  readonly regions?: string[];
  /**
   * Name of the REGIONAL web ACL in each of those regions (the same name everywhere).
   * @default - `<platform>-regional`, the name RegionalWaf gives it
   */
  readonly webAclName?: string;
  /**
   * Alias (alternate domain name) of the CloudFront distribution that sends the header; `null` when no distribution
   * sends it (the web ACLs are still updated). The rotation may read and update only a distribution tagged
   * `secure-api-platform:origin-verify=<platform>` (EdgeDistribution tags its own; tag yours the same way).
   * @default - spec.domain.domainName when spec.edge.cdn, else null
   */
  readonly distributionDomain?: string | null;
  /**
   * Name of the CLOUDFRONT-scope web ACL associated with the distribution (CloudFront checks on UpdateDistribution
   * that the caller may read it).
   * @default - `<platform>-edge`, the name EdgeDistribution gives it
   */
  readonly distributionWebAclName?: string;
  /**
   * How long the rotation waits between updating the web ACLs and updating CloudFront, so that every WAF endpoint
   * accepts the new value before any edge location sends it (0 to 600 seconds).
   * @default Duration.seconds(60)
   */
  readonly wafPropagationDelay?: Duration;
}

export interface OriginVerifySecretProps {
  /** The resolved platform spec (name, regions, log retention). */
  readonly spec: ResolvedSpec;
  /** Key that encrypts the secret in this region (PlatformKeys.secrets, or `PlatformKeys.fromLookup` in another stack). */
  readonly encryptionKey: kms.IKey;
  /** Key that encrypts the rotation function's log group (PlatformKeys.logs). */
  readonly logKey: kms.IKey;
  /**
   * How often the value rotates (1 to 365 days).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;
  /**
   * Regions the secret is replicated to (each replica is encrypted with `alias/<platform>/secrets` of its region,
   * so PlatformKeys must be deployed there first).
   * @default - every spec region other than this stack's
   */
  readonly replicaRegions?: string[];
  /**
   * Where each rotation writes the new value before it becomes AWSCURRENT (regional web ACLs, then CloudFront).
   * `null` opts out: rotation then only changes the secret, CloudFront and the web ACLs keep the values of their last
   * deploy, and two rotations without a redeploy lock CloudFront out of the origin (a warning says so).
   * @default - the platform's web ACLs and distribution, computed from the spec (see OriginVerifyPropagation)
   */
  readonly propagateTo?: OriginVerifyPropagation | null;
}

/**
 * The shared secret CloudFront sends to the regional APIs in the origin-verify header (`x-origin-verify`) and the
 * regional WAF requires, so the edge cannot be bypassed. Named `<platform>/edge/origin-verify` in every region.
 *
 * Value (JSON): `{ "current": string, "previous": string }`. Senders use `current`; receivers accept `current` or
 * `previous`, so a rotation never rejects requests in flight. The first value has only `current`; the rotation that
 * runs when the schedule is created (immediately) adds `previous`. Rotation every 30 days by a function that draws
 * 256 random bits; KMS-encrypted with the platform secrets key; replicated to the other regions; retained on deletion.
 *
 * Rotation propagates the value itself (see lib/rotation/origin-verify.ts): setSecret writes the pending pair into every
 * regional web ACL, then the new value into the distribution's origin header; testSecret reads them back; finishSecret
 * makes it AWSCURRENT. CloudFormation resolves the same secret at deploy (`{{resolve:secretsmanager:...}}` in
 * RegionalWaf and EdgeDistribution), and only when it updates those resources: a later deploy writes the AWSCURRENT
 * values, which are the ones the last completed rotation wrote, so deploys and rotations agree. Deploy no regional or
 * edge stack while a rotation has failed half-way (AWSPENDING on a version): complete it first (it is retried, or run
 * `aws secretsmanager rotate-secret`).
 */
export class OriginVerifySecret extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly rotationFunction: PlatformFunction;
  public readonly rotationSchedule: secretsmanager.CfnRotationSchedule;
  /** The secret's name, the same in every region. */
  public readonly secretName: string;
  /** Where rotations write the value (resolved defaults), or undefined when propagation is opted out. */
  public readonly propagation?: Required<Omit<OriginVerifyPropagation, 'distributionDomain'>> & { readonly distributionDomain: string | null };

  /** The platform name: the value of the distribution tag the rotation may update. */
  private readonly platformName: string;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps) {
    super(scope, id);
    const spec = props.spec;
    this.platformName = spec.name;
    const region = Stack.of(this).region;
    const days = props.rotationInterval?.toDays() ?? 30;
    if (days < 1 || days > 365) {
      throw new PlatformValidationError(`rotationInterval must be between 1 and 365 days (received: ${days} days); Secrets Manager schedules rotation in whole days up to a year`, this);
    }
    const replicaRegions = props.replicaRegions ?? spec.regions.filter((r) => Token.isUnresolved(region) || r !== region);
    if (!Token.isUnresolved(region) && replicaRegions.includes(region)) {
      throw new PlatformValidationError(`replicaRegions must not contain the stack's own region (received: ${replicaRegions.join(', ')}; stack region ${region}); remove ${region}`, this);
    }
    const key = props.encryptionKey;
    const logKey = props.logKey;
    this.secretName = PlatformNames.originVerifySecret(spec);

    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: this.secretName,
      description: `${spec.name}: origin-verify header value, JSON { current, previous }`,
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (replicaRegions.length > 0) {
      (this.secret.node.defaultChild as secretsmanager.CfnSecret).replicaRegions = replicaRegions.map((r) => ({
        region: r,
        kmsKeyId: `alias/${spec.name}/${KeyPurpose.SECRETS}`,
      }));
    }

    this.propagation = props.propagateTo === null ? undefined : this.resolvePropagation(spec, props.propagateTo ?? {});
    const propagation = this.propagation;
    if (!propagation) {
      Annotations.of(this).addWarningV2('@secure-api-platform/keys:originVerifyNotPropagated',
        'propagateTo is null: rotations change only the secret; CloudFront and the regional web ACLs keep the values of their last deploy, and a second rotation before a redeploy rejects every request at the regional WAF');
    }
    const delay = propagation?.wafPropagationDelay.toSeconds() ?? 0;

    this.rotationFunction = new PlatformFunction(this, 'RotationFunction', {
      purpose: `${spec.name} origin-verify secret rotation`,
      // The handler is larger than CloudFormation's 4096-character inline limit: deployed as an asset.
      code: lambda.Code.fromAsset(path.join(packageRoot(), 'assets', 'origin-verify-rotation')),
      logKey,
      logRetentionDays: spec.audit.logRetentionDays,
      reservedConcurrency: 1,
      // Web ACL and distribution calls across regions plus the WAF propagation wait.
      timeout: Duration.seconds(delay + 180),
      environment: {
        HEADER_NAME: PlatformNames.originVerifyHeader,
        WEB_ACL_NAME: propagation?.webAclName ?? '',
        WEB_ACL_REGIONS: propagation?.regions.join(',') ?? '',
        DISTRIBUTION_DOMAIN: propagation?.distributionDomain ?? '',
        WAF_PROPAGATION_SECONDS: String(delay),
      },
    });
    const fn = this.rotationFunction.function;
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      resources: [this.secret.secretArn],
    }));
    this.rotationFunction.addToPolicy(keyUseStatement(key, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], this.rotationFunction.policy, 'secretsmanager'));
    this.rotationSchedule = rotationSchedule(this, {
      secret: this.secret, rotationFunction: fn, days, rotateImmediately: true, dependsOn: [this.rotationFunction.policy],
    });
    if (propagation) this.grantPropagation(propagation);
  }

  /** Defaults from the spec, then validation (each error names the prop and the fix). */
  private resolvePropagation(spec: ResolvedSpec, p: OriginVerifyPropagation): NonNullable<OriginVerifySecret['propagation']> {
    const regions = p.regions ?? spec.regions;
    const webAclName = p.webAclName ?? `${spec.name}-regional`;
    const cdnDomain = spec.needsEdge && spec.domain ? spec.domain.domainName : null;
    const distributionDomain = p.distributionDomain !== undefined ? p.distributionDomain : cdnDomain;
    const distributionWebAclName = p.distributionWebAclName ?? `${spec.name}-edge`;
    const wafPropagationDelay = p.wafPropagationDelay ?? Duration.seconds(60);
    if (regions.length === 0 || regions.some((r) => !Token.isUnresolved(r) && !AWS_REGION_PATTERN.test(r))) {
      throw new PlatformValidationError(`propagateTo.regions must list the AWS regions of the regional web ACLs (received: ${JSON.stringify(regions)})`, this);
    }
    for (const [prop, name] of [['webAclName', webAclName], ['distributionWebAclName', distributionWebAclName]] as const) {
      if (!Token.isUnresolved(name) && !/^[\w-]{1,128}$/.test(name)) {
        throw new PlatformValidationError(`propagateTo.${prop} must be a WAF web ACL name (1-128 letters, digits, _ or -) (received: ${JSON.stringify(name)})`, this);
      }
    }
    if (distributionDomain !== null && !Token.isUnresolved(distributionDomain) && !isDomainName(distributionDomain)) {
      throw new PlatformValidationError(`propagateTo.distributionDomain must be the distribution's alternate domain name, e.g. api.example.com (received: ${JSON.stringify(distributionDomain)}); pass null when no distribution sends the header`, this);
    }
    const seconds = wafPropagationDelay.toSeconds();
    if (seconds < 0 || seconds > 600) {
      throw new PlatformValidationError(`propagateTo.wafPropagationDelay must be between 0 and 600 seconds (received: ${seconds} s); the rotation function runs at most 15 minutes`, this);
    }
    return { regions: [...regions], webAclName, distributionDomain, distributionWebAclName, wafPropagationDelay };
  }

  /**
   * Least privilege for propagation: the named web ACL in each region (its id is assigned at creation in another
   * stack, hence `<name>/*`), the distribution's config, and the list calls that find them (no resource-level support).
   */
  private grantPropagation(p: NonNullable<OriginVerifySecret['propagation']>): void {
    const stack = Stack.of(this);
    const policy = this.rotationFunction.policy;
    const wafArn = (region: string, resource: string) => stack.formatArn({ service: 'wafv2', region, resource, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const aclArns = p.regions.map((r) => wafArn(r, `regional/webacl/${p.webAclName}/*`));
    // UpdateWebACL is also authorized against every IP set and managed rule group the web ACL references (not changed).
    const referenced = p.regions.flatMap((r) => [wafArn(r, 'regional/ipset/*'), wafArn(r, 'regional/managedruleset/*')]);
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({ sid: 'FindWebAclsAndDistribution', actions: ['wafv2:ListWebACLs', ...(p.distributionDomain ? ['cloudfront:ListDistributions'] : [])], resources: ['*'] }));
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({ sid: 'UpdateOriginVerifyMatches', actions: ['wafv2:GetWebACL', 'wafv2:UpdateWebACL'], resources: aclArns }));
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({ sid: 'ReferencedByWebAcls', actions: ['wafv2:UpdateWebACL'], resources: referenced }));
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]',
      'wafv2:ListWebACLs and cloudfront:ListDistributions support no resource-level permissions; they only return names and ids, used to find the web ACL and distribution whose names the platform computes');
    for (const arn of aclArns) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, arn)}]`,
        `Only the web ACL named ${p.webAclName}; WAF assigns its id when the regional stack creates it, after this stack, so the id is the only wildcard`);
    }
    for (const arn of referenced) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, arn)}]`,
        'WAF authorizes UpdateWebACL against each IP set and managed rule group the web ACL references; only UpdateWebACL is granted, so these may be referenced but never modified');
    }
    if (!p.distributionDomain) return;
    const distributions = stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: '*' });
    const edgeAcl = wafArn('us-east-1', `global/webacl/${p.distributionWebAclName}/*`);
    // Only a distribution tagged <ORIGIN_VERIFY_DISTRIBUTION_TAG>=<platform> (EdgeDistribution tags its own): its id is unknown here.
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({
      sid: 'UpdateOriginHeader',
      actions: ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
      resources: [distributions],
      conditions: { StringEquals: { [`aws:ResourceTag/${ORIGIN_VERIFY_DISTRIBUTION_TAG}`]: this.platformName } },
    }));
    this.rotationFunction.addToPolicy(new iam.PolicyStatement({ sid: 'ReadDistributionWebAcl', actions: ['wafv2:GetWebACL'], resources: [edgeAcl] }));
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, distributions)}]`,
      `CloudFront assigns the distribution id when the edge stack creates it, after this stack; the aws:ResourceTag condition limits the grant to the distribution tagged ${ORIGIN_VERIFY_DISTRIBUTION_TAG}=${this.platformName}, and the function changes only its origin-verify header`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, edgeAcl)}]`,
      `Read-only, the CLOUDFRONT web ACL named ${p.distributionWebAclName}, whose id WAF assigns in the edge stack; CloudFront checks on UpdateDistribution that the caller may read the associated web ACL`);
  }

  /** Lets `grantee` read the secret (e.g. the edge stack's deploy role or a custom resource that refreshes headers). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}

/** A DNS name of two labels or more (what CloudFront accepts as an alternate domain name, wildcards aside). */
function isDomainName(name: string): boolean {
  const labels = name.split('.');
  return name.length <= 253 && labels.length >= 2 && labels.every((l) => /^[a-z0-9-]{1,63}$/i.test(l) && !l.startsWith('-') && !l.endsWith('-'));
}
