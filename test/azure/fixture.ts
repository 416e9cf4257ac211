import { Testing } from 'cdktf';
import { OrdersAzureStack } from '../../examples/azure/main';

/** The example stack in a Testing app (synthesized once per test file), and its Terraform JSON with metadata. */
export function exampleStack(): { stack: OrdersAzureStack; synth: string; config: Record<string, unknown> } {
  const app = Testing.app();
  const stack = new OrdersAzureStack(app, 'orders-azure');
  const synth = Testing.synth(stack, true);
  return { stack, synth, config: stack.toTerraform() as Record<string, unknown> };
}
