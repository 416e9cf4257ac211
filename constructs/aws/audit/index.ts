export { AuditArchive, type AuditArchiveProps } from './audit-archive';
export { AuditTrail, type AuditTrailProps } from './audit-trail';
export { type ArchivedLogSource, AuditLogShipping, type AuditLogShippingProps } from './log-shipping';
