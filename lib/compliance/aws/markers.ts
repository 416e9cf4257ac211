import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isObject, rendered } from './rule';
import { PlatformValidationError } from '../../errors';

/** Marker key (resource Metadata entry or tag) naming a resource's role for the platform rules. */
export const ROLE_MARKER_KEY = 'secure-api:role';
/** The role of the WORM audit archive bucket: `SecureApi-AuditBucketObjectLock` checks it. */
export const AUDIT_ARCHIVE_ROLE = 'audit-archive';

function cfnOf(scope: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  if (child !== undefined && CfnResource.isCfnResource(child)) return child;
  throw new PlatformValidationError(`markAuditArchive(): scope must be a bucket or its CfnBucket (received: ${scope.constructor.name} with no CfnResource default child)`, scope);
}

/**
 * Marks a bucket as the audit archive: a template Metadata entry `secure-api:role: audit-archive` (a tag with the
 * same key and value works too). The platform rule then requires Object Lock in COMPLIANCE mode for the profile minimum.
 */
export function markAuditArchive(bucket: IConstruct): void {
  const cfn = cfnOf(bucket);
  if (cfn.cfnResourceType !== 'AWS::S3::Bucket') {
    throw new PlatformValidationError(`markAuditArchive(): scope must be an S3 bucket (received: ${cfn.cfnResourceType})`, bucket);
  }
  cfn.addMetadata(ROLE_MARKER_KEY, AUDIT_ARCHIVE_ROLE);
}

/** The role a resource is marked with (Metadata entry or tag), if any. */
export function roleOf(node: CfnResource): string | undefined {
  const r = rendered(node);
  const meta = r.Metadata;
  if (isObject(meta) && typeof meta[ROLE_MARKER_KEY] === 'string') return meta[ROLE_MARKER_KEY];
  const props = r.Properties;
  const tags = isObject(props) ? props.Tags : undefined;
  if (Array.isArray(tags)) {
    for (const t of tags) if (isObject(t) && t.Key === ROLE_MARKER_KEY && typeof t.Value === 'string') return t.Value;
  }
  return undefined;
}
