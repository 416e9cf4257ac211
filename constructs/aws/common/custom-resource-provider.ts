import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';

/** Construct id of the one provider function every AwsCustomResource in a stack shares (fixed by aws-cdk-lib). */
export const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

const done = new WeakSet<IConstruct>();

/**
 * Acknowledges, on the shared AwsCustomResource provider function of `scope`'s stack (a child of the stack, not the
 * stack), the findings inherent to it: it is created by aws-cdk-lib with the AWSLambdaBasicExecutionRole managed
 * policy, outside a VPC, without a DLQ or reserved concurrency, and runs only during deployments.
 */
export function acknowledgeCustomResourceProvider(scope: IConstruct): void {
  const provider = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (!provider || done.has(provider)) return;
  done.add(provider);
  const what = 'The aws-cdk-lib AwsCustomResource provider runs only while CloudFormation deploys this stack, making single AWS API calls';
  acknowledge(provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${what}; the managed policy only lets it write its own CloudWatch log streams`);
  acknowledge(provider, 'AwsSolutions-L1', `${what}; its runtime is chosen and kept current by aws-cdk-lib releases`);
  for (const pack of ['HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5']) {
    acknowledge(provider, `${pack}-LambdaInsideVPC`, `${what} against public AWS endpoints over TLS; it reaches no private resource`);
  }
  for (const pack of ['HIPAA.Security', 'NIST.800.53.R5']) {
    acknowledge(provider, `${pack}-LambdaDLQ`, `${what}; it is invoked synchronously by CloudFormation, which records every failure`);
    acknowledge(provider, `${pack}-LambdaConcurrency`, `${what}; invocations are bounded by the number of custom resources in the stack`);
  }
}

/**
 * Acknowledges IAMNoInlinePolicy on an AwsCustomResource: aws-cdk-lib attaches its `CustomResourcePolicy` (an
 * AWS::IAM::Policy holding only that resource's API calls) to the stack's shared provider role.
 */
export function acknowledgeAwsCustomResourcePolicy(resource: IConstruct): void {
  for (const pack of ['HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5']) {
    acknowledge(resource, `${pack}-IAMNoInlinePolicy`,
      'aws-cdk-lib AwsCustomResource attaches its per-resource policy to the shared provider role as an AWS::IAM::Policy; it holds only the statements of this resource\'s deployment-time API calls');
  }
}
