import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';

/**
 * The IAM statement that allows `actions` on `key`, whatever the key is: a key ARN is named directly;
 * an alias imported by name (which KMS does not accept as a policy resource) becomes `key/*` narrowed by the
 * `kms:ResourceAliases` condition, with the AwsSolutions-IAM5 finding acknowledged next to `policyOwner`.
 * `viaService` narrows use to calls a service makes on the grantee's behalf (e.g. `secretsmanager`).
 */
export function keyUseStatement(key: kms.IKey, actions: string[], policyOwner: IConstruct, viaService?: string): iam.PolicyStatement {
  const stack = Stack.of(policyOwner);
  const conditions: Record<string, Record<string, unknown>> = {};
  if (viaService) conditions.StringEquals = { 'kms:ViaService': `${viaService}.${stack.region}.amazonaws.com` };
  const aliasName = (key as Partial<kms.IAlias>).aliasName;
  if (aliasName !== undefined) {
    conditions['ForAnyValue:StringEquals'] = { 'kms:ResourceAliases': aliasName };
    acknowledge(policyOwner, `AwsSolutions-IAM5[Resource::${nagKeyWildcard(stack)}]`,
      `The key is addressed by its alias ${aliasName}; KMS evaluates IAM policies against key ARNs, so the grant names key/* and the kms:ResourceAliases condition limits it to that one key`);
    return new iam.PolicyStatement({ actions, resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })], conditions });
  }
  return new iam.PolicyStatement({ actions, resources: [key.keyArn], conditions });
}

/** How cdk-nag prints `arn:<partition>:kms:<region>:<account>:key/*` of `stack` in a finding id. */
export function nagKeyWildcard(stack: Stack, region: string = stack.region): string {
  const r = Token.isUnresolved(region) ? '<AWS::Region>' : region;
  const a = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:kms:${r}:${a}:key/*`;
}

/** A region or account as cdk-nag prints it in a finding id: the value, or `<AWS::Region>`-style when unresolved. */
export function nagEnv(value: string, placeholder: string): string {
  return Token.isUnresolved(value) ? placeholder : value;
}

/**
 * A value as cdk-nag prints it in a granular finding id (`Fn::GetAtt` as `<Logical.Attr>`, `Ref` as `<Name>`,
 * `Fn::Join` flattened), so an acknowledgment can name the exact finding. Resolve within the stack that holds the
 * policy; pass values of this stack or computed names (a cross-stack token is printed as its export name).
 */
export function nagRef(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const n = node as Record<string, unknown>;
    if (Array.isArray(n['Fn::Join'])) {
      const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (n['Fn::Sub'] !== undefined) return visit(n['Fn::Sub']);
    if (Array.isArray(n['Fn::GetAtt'])) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (n['Fn::ImportValue'] !== undefined) return visit(n['Fn::ImportValue']);
    if (n.Ref !== undefined) return `<${visit(n.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
