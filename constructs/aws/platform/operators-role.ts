import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { ResolvedSpec } from '../../../lib/spec';
import { operationsAuditLogGroup, RoleNames } from '../../../lib/spec/contracts/names';
import { nagRef } from '../common/key-grants';

export interface OperatorsRoleProps {
  readonly spec: ResolvedSpec;
  /** Name of the platform table (every replica region). */
  readonly tableName: string;
}

/**
 * The operators' role `<platform>-operators` (path `/<platform>/`, like every role of the platform): what the operators' CLI needs and nothing else. Any principal of the
 * account whose IAM policies allow `sts:AssumeRole` on it may assume it (for one hour); the platform table's resource
 * policy lets only this role (and DynamoDB's replication role) write items.
 *
 * | Service | Actions | Resources |
 * |---|---|---|
 * | DynamoDB | GetItem, Query, Scan, DescribeTable, PutItem, UpdateItem, DeleteItem | the platform table in every region |
 * | API Gateway | GET, POST, PATCH, DELETE | usage plans and API keys in every region (metering keys of tenants) |
 * | CloudWatch Logs | CreateLogStream, PutLogEvents | the operations audit log group (primary region) |
 */
export class OperatorsRole extends Construct {
  public readonly role: iam.Role;
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: OperatorsRoleProps) {
    super(scope, id);
    const spec = props.spec;
    const stack = Stack.of(this);
    this.roleName = RoleNames.operators(spec.name);
    this.role = new iam.Role(this, 'Resource', {
      roleName: this.roleName,
      path: RoleNames.path(spec.name),
      assumedBy: new iam.AccountRootPrincipal(),
      maxSessionDuration: Duration.hours(1),
      description: `${spec.name}: operators of the platform (the CLI); the only role allowed to write the platform table`,
    });
    const tables = spec.regions.map((region) => stack.formatArn({ service: 'dynamodb', region, resource: 'table', resourceName: props.tableName }));
    const apiGateway = spec.regions.flatMap((region) => ['/usageplans', '/usageplans/*', '/apikeys', '/apikeys/*']
      .map((path) => `arn:${stack.partition}:apigateway:${region}::${path}`));
    const auditStreams = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${operationsAuditLogGroup(spec.name)}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `${spec.name}: what the operators' CLI does`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'PlatformTable',
          actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: tables,
        }),
        new iam.PolicyStatement({ sid: 'MeteringKeys', actions: ['apigateway:GET', 'apigateway:POST', 'apigateway:PATCH', 'apigateway:DELETE'], resources: apiGateway }),
        new iam.PolicyStatement({ sid: 'OperationsAudit', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [auditStreams] }),
      ],
    });
    for (const arn of apiGateway.filter((a) => a.endsWith('/*'))) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, arn)}]`,
        'API Gateway assigns usage plan and API key ids at creation (the CLI creates a metering key per tenant); the statement is limited to usage plans and API keys');
    }
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${nagRef(this, auditStreams)}]`,
      'The CLI names a log stream per run; the statement is limited to streams of the operations audit log group');
  }
}
