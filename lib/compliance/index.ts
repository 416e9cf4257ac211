// The `./compliance` entry point (an AWS app's: loads aws-cdk-lib and cdk-nag). The layers:
//   lib/compliance/*.ts and report/  the cloud-neutral core: rule shape, control sets, acknowledgment policy, evidence, reports
//   lib/compliance/aws/              cdk-nag packs, the platform pack and its rules, Compliance.enforce, recording
//   lib/compliance/terraform/        the Terraform rule engine (the Azure entry point's; not exported here)
export * from './acknowledge';
export type { PublicRouteRef } from './rule';
export * from './recording';
export * from './evidence';
export * from './controls';
export { renderReports, writeReports, acknowledgmentsFromAssembly, REPORT_DIR, REPORT_FILES } from './report/render';
export type { ReportPaths } from './report/render';
export { toSarif } from './report/sarif';
export type { SarifLog } from './report/sarif';
export { toJUnit } from './report/junit';
export { toMarkdown } from './report/markdown';
export { toHtml } from './report/html';
export * from './aws';
