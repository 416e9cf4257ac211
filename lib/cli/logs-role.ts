/**
 * The account's API Gateway CloudWatch Logs role, as `doctor` verifies it when the spec says it is managed elsewhere
 * (`observability.apiGatewayLogsRole: 'managedElsewhere'`): API Gateway's account setting in each region names a role
 * (GetAccount → cloudwatchRoleArn), the role exists (IAM GetRole) and API Gateway may assume it (its trust policy).
 * Without it, every stage with execution or access logging fails to deploy.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { IAMClient } from '@aws-sdk/client-iam';
import { toCliError } from './errors';

/** The two reads the check needs, in one region of one account. */
export interface AccountLogsRole {
  /** API Gateway's account setting: the CloudWatch Logs role ARN, or undefined when none is set. */
  cloudwatchRoleArn(): Promise<string | undefined>;
  /** The role's trust policy (decoded JSON), or undefined when no role has that name. */
  trustPolicy(roleName: string): Promise<unknown>;
}

/** AccountLogsRole over the AWS SDK (API Gateway GetAccount, IAM GetRole). */
export class AwsAccountLogsRole implements AccountLogsRole {
  constructor(private readonly apigateway: APIGatewayClient, private readonly iam: IAMClient) {}

  public async cloudwatchRoleArn(): Promise<string | undefined> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when doctor runs this check
    const { GetAccountCommand } = require('@aws-sdk/client-api-gateway') as typeof import('@aws-sdk/client-api-gateway');
    const account = await this.apigateway.send(new GetAccountCommand({}));
    return account.cloudwatchRoleArn || undefined;
  }

  public async trustPolicy(roleName: string): Promise<unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when doctor runs this check
    const { GetRoleCommand, NoSuchEntityException } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
    try {
      const { Role } = await this.iam.send(new GetRoleCommand({ RoleName: roleName }));
      const doc = Role?.AssumeRolePolicyDocument;
      return doc === undefined ? {} : JSON.parse(decodeURIComponent(doc)) as unknown;
    } catch (e) {
      if (e instanceof NoSuchEntityException || (e as { name?: string }).name === 'NoSuchEntity' || (e as { name?: string }).name === 'NoSuchEntityException') return undefined;
      throw e;
    }
  }
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** True when a trust policy lets API Gateway (`apigateway.amazonaws.com`) call sts:AssumeRole. */
export function trustsApiGateway(policy: unknown): boolean {
  type Statement = { Effect?: unknown; Action?: unknown; Principal?: unknown };
  const statements = asList((policy as { Statement?: unknown } | undefined)?.Statement) as Statement[];
  return statements.some((s) => s?.Effect === 'Allow'
    && asList(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')
    && asList((s.Principal as { Service?: unknown } | undefined)?.Service).includes('apigateway.amazonaws.com'));
}

/** The role name of an IAM role ARN (`arn:aws:iam::123456789012:role/path/Name` → `Name`), or undefined. */
export function roleNameOf(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  return m ? m[1] : undefined;
}

export interface LogsRoleCheck {
  readonly status: 'ok' | 'fail';
  readonly detail: string;
}

/** Verifies the API Gateway CloudWatch Logs role of one region. */
export async function checkLogsRole(probe: AccountLogsRole, region: string): Promise<LogsRoleCheck> {
  const fix = 'set it in that account and region (API Gateway → Settings → CloudWatch log role ARN), or let the platform create it (spec observability.apiGatewayLogsRole: \'platform\')';
  try {
    const arn = await probe.cloudwatchRoleArn();
    if (arn === undefined) return { status: 'fail', detail: `API Gateway in ${region} has no CloudWatch Logs role (GetAccount: cloudwatchRoleArn unset): stages with logging fail to deploy; ${fix}` };
    const name = roleNameOf(arn);
    if (name === undefined) return { status: 'fail', detail: `API Gateway in ${region} names ${JSON.stringify(arn)}, not an IAM role ARN; ${fix}` };
    const policy = await probe.trustPolicy(name);
    if (policy === undefined) return { status: 'fail', detail: `API Gateway in ${region} names role ${arn}, which does not exist (IAM GetRole: NoSuchEntity); ${fix}` };
    if (!trustsApiGateway(policy)) return { status: 'fail', detail: `role ${arn} does not let apigateway.amazonaws.com assume it (its trust policy has no Allow of sts:AssumeRole for that service principal)` };
    return { status: 'ok', detail: `${arn} exists and API Gateway may assume it` };
  } catch (e) {
    return { status: 'fail', detail: toCliError(e).message };
  }
}
