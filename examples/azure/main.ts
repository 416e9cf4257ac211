import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { exampleSpec } from '../spec';

/** The example's Cedar policies (the same files as the AWS example): role-based access and tenant isolation. */
const EXAMPLE_POLICIES = ['rbac.cedar', 'tenant-isolation.cedar'].map((f) => readFileSync(path.join(__dirname, '..', 'policies', f), 'utf8')).join('\n');

/** The orders backend's Functions package, built ahead of synth by `npx projen bundle:azure`. */
export const ORDERS_BACKEND_PACKAGE = path.join(__dirname, '..', '..', 'assets', 'azure-orders-backend.zip');

/** The example Azure platform: the same spec as the AWS example, with Azure regions. No Azure account needed to synth. */
export class OrdersAzureStack extends TerraformStack {
  public readonly platform: AzureSecureApiPlatform;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Entra ID (storage_use_azuread): the audit account has shared keys off.
    new AzurermProvider(this, 'azurerm', { features: [{}], storageUseAzuread: true });
    this.platform = new AzureSecureApiPlatform(this, 'Orders', {
      spec: exampleSpec('azure'),
      publisherEmail: 'api-team@example.com',
      hsmAdminObjectIds: ['00000000-0000-0000-0000-000000000001'],
      // The shared spec's user pool is Cognito (AWS); on Azure the corporate issuer is trusted and the pool is left out.
      ignoreUserPool: true,
      // The orders API's backend: the shared orders logic behind its Azure Functions adapter (examples/azure/backend).
      backendPackages: { 'orders-v1': { packagePath: ORDERS_BACKEND_PACKAGE, appSettings: { ORDERS_TABLE: 'orders', IDEMPOTENCY_TABLE: 'idempotency' } } },
      policies: EXAMPLE_POLICIES,
    });
  }
}

if (require.main === module) {
  const app = new App({ outdir: 'cdktf.out' });
  new OrdersAzureStack(app, 'orders-azure');
  app.synth();
}
