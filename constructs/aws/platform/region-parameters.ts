import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeAwsCustomResourcePolicy, acknowledgeCustomResourceProvider } from '../common/custom-resource-provider';

export interface RegionParametersProps {
  /** Parameter name to value (plain strings; tokens of this stack are fine). */
  readonly parameters: Record<string, string>;
  /**
   * Names (of `parameters`) that already exist in this stack's region (e.g. created by another construct): only
   * written to the other regions.
   * @default - none
   */
  readonly existingLocally?: string[];
  /** Regions to write to besides this stack's own (where a plain `AWS::SSM::Parameter` is created). */
  readonly regions: string[];
  /** What the parameters hold, for their descriptions. */
  readonly description: string;
}

/**
 * Publishes values only known at deploy time (a user pool id, app client ids) as SSM parameters of the same name in
 * every platform region. Stacks of other regions read them from their own region by name
 * (`ssm.StringParameter.valueForStringParameter`), so no token crosses a region, the value may change later (unlike
 * `crossRegionReferences` exports), and the deployment order (global data before regional platforms) is enough.
 */
export class RegionParameters extends Construct {
  public readonly local: ssm.StringParameter[] = [];

  constructor(scope: Construct, id: string, props: RegionParametersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    Object.entries(props.parameters).forEach(([name, value], i) => {
      if (!(props.existingLocally ?? []).includes(name)) {
        this.local.push(new ssm.StringParameter(this, `Local${i}`, { parameterName: name, stringValue: value, description: props.description }));
      }
      for (const region of props.regions.filter((r) => r !== stack.region)) {
        const put: cr.AwsSdkCall = {
          service: 'SSM',
          action: 'putParameter',
          region,
          parameters: { Name: name, Value: value, Type: 'String', Overwrite: true, Description: props.description },
          physicalResourceId: cr.PhysicalResourceId.of(`${region}:${name}`),
        };
        const writer = new cr.AwsCustomResource(this, `Put${i}${region.replace(/-/g, '')}`, {
          onCreate: put,
          onUpdate: put,
          onDelete: { service: 'SSM', action: 'deleteParameter', region, parameters: { Name: name }, ignoreErrorCodesMatching: 'ParameterNotFound' },
          policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
            resources: [stack.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: name.replace(/^\//, '') })],
          }),
          installLatestAwsSdk: false,
        });
        acknowledgeAwsCustomResourcePolicy(writer);
      }
    });
    acknowledgeCustomResourceProvider(this);
  }
}
