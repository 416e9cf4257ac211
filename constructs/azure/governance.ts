import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ResourceGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/resource-group-policy-assignment';
import { SecurityCenterSubscriptionPricing } from '@cdktf/provider-azurerm/lib/security-center-subscription-pricing';
import { Construct } from 'constructs';
import { POLICY_INITIATIVES } from '../../lib/compliance/terraform/rules/policy-initiatives';
import { ResolvedSpec } from '../../lib/spec';

export interface AzureGovernanceProps {
  /** The resolved platform spec: name, primary region, compliance profiles (which initiatives are assigned). */
  readonly spec: ResolvedSpec;
  /** Resource group the initiatives are assigned to. */
  readonly resourceGroup: ResourceGroup;
  /**
   * Enable Microsoft Defender for APIs (plan P1) on the subscription: a subscription-wide setting, billed per API call.
   * @default true
   */
  readonly defenderForApis?: boolean;
}

/**
 * Continuous compliance: the built-in Azure Policy initiatives of the spec's profiles (PCI DSS v4, HIPAA HITRUST, NIST
 * SP 800-53 R5, by definition id) assigned at the resource group with a system-assigned identity (for remediation),
 * and Defender for APIs on the subscription.
 */
export class AzureGovernance extends Construct {
  public readonly policyAssignments: ResourceGroupPolicyAssignment[];
  /** The Defender for APIs plan (undefined when `defenderForApis` is false). */
  public readonly defenderForApis?: SecurityCenterSubscriptionPricing;

  constructor(scope: Construct, id: string, props: AzureGovernanceProps) {
    super(scope, id);
    const { spec, resourceGroup } = props;
    const n = spec.name;
    this.policyAssignments = spec.profiles
      .filter((p) => POLICY_INITIATIVES[p] !== undefined)
      .map((p) => new ResourceGroupPolicyAssignment(this, `Policy${p}`, {
        name: `${n}-${p.toLowerCase().replace(/_/g, '-')}`,
        displayName: `${POLICY_INITIATIVES[p].name} (${n})`,
        resourceGroupId: resourceGroup.id,
        policyDefinitionId: POLICY_INITIATIVES[p].id,
        location: spec.primaryRegion,
        identity: { type: 'SystemAssigned' },
      }));
    if (props.defenderForApis ?? true) {
      this.defenderForApis = new SecurityCenterSubscriptionPricing(this, 'DefenderForApis', { resourceType: 'Api', tier: 'Standard', subplan: 'P1' });
    }
  }
}
