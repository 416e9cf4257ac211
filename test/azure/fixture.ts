import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { AZURE_BACKEND_PACKAGE, FIXTURE_POLICIES, fixtureSpec } from '../fixtures/platform-spec';

/** The tests' Azure platform: the fixture spec with Azure regions, its orders backend package and policies. */
export class FixtureAzureStack extends TerraformStack {
  public readonly platform: AzureSecureApiPlatform;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}], storageUseAzuread: true });
    this.platform = new AzureSecureApiPlatform(this, 'Orders', {
      spec: fixtureSpec('azure'),
      publisherEmail: 'api-team@example.com',
      hsmAdminObjectIds: ['00000000-0000-0000-0000-000000000001'],
      // The fixture's user pool is Cognito (AWS); on Azure the corporate issuer is trusted and the pool is left out.
      ignoreUserPool: true,
      backendPackages: { 'orders-v1': { packagePath: AZURE_BACKEND_PACKAGE, appSettings: { ORDERS_TABLE: 'orders', IDEMPOTENCY_TABLE: 'idempotency' } } },
      policies: FIXTURE_POLICIES,
    });
  }
}

/** The fixture stack in a Testing app (synthesized once per test file), and its Terraform JSON with metadata. */
export function exampleStack(): { stack: FixtureAzureStack; synth: string; config: Record<string, unknown> } {
  const app = Testing.app();
  const stack = new FixtureAzureStack(app, 'orders-azure');
  const synth = Testing.synth(stack, true);
  return { stack, synth, config: stack.toTerraform() as Record<string, unknown> };
}
