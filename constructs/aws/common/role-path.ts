import { CfnResource, IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Puts every IAM role of a stack (CDK's own custom-resource provider roles included) under `path` unless it has
 * one: the platform's key policies name its roles by `role<path>*`, since most of them are created, with names
 * CloudFormation generates, by stacks deployed after the keys (KMS refuses a policy naming a role that does not exist).
 */
export class RolePathAspect implements IAspect {
  constructor(private readonly path: string) {}

  public visit(node: IConstruct): void {
    if (node instanceof iam.CfnRole) {
      if (node.path === undefined) node.path = this.path;
    } else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::IAM::Role') {
      node.addPropertyOverride('Path', this.path);
    }
  }
}
