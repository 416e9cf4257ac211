// Shared by the report tests: a small platform-shaped app synthesized into a folder inside the repository (so
// template paths are repository-relative, as in a user's cdk.out), and SARIF validation as GitHub's upload does it.
/* eslint-disable security/detect-non-literal-fs-filename -- every path is under a mkdtemp folder of the test */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorObject } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import { App, aws_apigateway as apigw, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, aws_sqs as sqs, Stack } from 'aws-cdk-lib';
import { acknowledge } from '../../lib/compliance';

export const REPO_ROOT = join(__dirname, '..', '..');
export const REASON = 'Liveness probe for Route 53 health checks; it returns a constant body and no tenant data.';
export const THIS_FILE = 'test/compliance/reports-helpers.ts';
/** The configuration that makes REASON true (recorded with the acknowledgment). */
export const CONDITION = 'spec.publicRoutes lists GET /health';

/** The 1-based line of this file that holds `code` (where the fixture creates a resource). */
export function lineOf(code: string): number {
  return readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes(code)) + 1;
}

/** A cloud assembly folder under the repository's git-ignored test-reports/ (removed by the caller). */
export function assemblyDir(prefix: string): string {
  mkdirSync(join(REPO_ROOT, 'test-reports'), { recursive: true });
  return mkdtempSync(join(REPO_ROOT, 'test-reports', prefix));
}

/** A Lambda behind a REST API with a public route, a wildcard IAM policy and a queue. */
export function platformApp(options: { acknowledgeHealth: boolean; outdir: string }): { app: App; stack: Stack } {
  const app = new App({ builtinCloudFormationValidation: false, outdir: options.outdir });
  const stack = new Stack(app, 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Backend', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    reservedConcurrentExecutions: 5,
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" })'),
  });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
  const api = new apigw.RestApi(stack, 'Rest', {
    cloudWatchRole: false,
    deployOptions: {
      accessLogDestination: new apigw.LogGroupLogDestination(new logs.LogGroup(stack, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR })),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
    },
  });
  const health = api.root.addResource('health').addMethod('GET', new apigw.LambdaIntegration(fn));
  api.root.addResource('orders').addMethod('GET', new apigw.LambdaIntegration(fn));
  if (options.acknowledgeHealth) acknowledge(health, 'SecureApi-ApiMethodAuthorizer', REASON, CONDITION);
  new sqs.Queue(stack, 'Queue', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED });
  return { app, stack };
}

export function readReport<T>(outdir: string, file: string): T {
  return JSON.parse(readFileSync(join(outdir, 'compliance', file), 'utf8')) as T;
}

/** The official SARIF 2.1.0 schema (OASIS, JSON Schema draft-04), as the @microsoft/jest-sarif package ships it. */
export function sarifSchema(): object {
  return JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
}

const isUri = (s: string): boolean => {
  try {
    return new URL(s).protocol.length > 0;
  } catch {
    return false;
  }
};
const isUriReference = (s: string): boolean => {
  try {
    return new URL(s, 'http://base.invalid/').href.length > 0;
  } catch {
    return false;
  }
};

/**
 * Validates a SARIF log against the official schema with every format checked, then drops what GitHub's upload-sarif
 * step drops: `format` errors on `uri` and `uri-reference` (github/codeql-action upload-lib, issue 1703).
 * Returns the remaining errors (none = GitHub accepts the file).
 */
export function sarifSchemaErrors(log: unknown): ErrorObject[] {
  // Patterns compiled without the u flag, as GitHub's validator (jsonschema) compiles them: the schema's language pattern needs it.
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s));
  const validate = ajv.compile(sarifSchema());
  validate(log);
  return (validate.errors ?? []).filter((e) => !(e.keyword === 'format' && ['uri', 'uri-reference'].includes(String(e.params.format))));
}
