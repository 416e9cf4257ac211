/**
 * Which commands of the operators' CLI have an Azure form (`--cloud azure`: the Cosmos DB for Table store the authorizer
 * function reads, the operator's Entra identity, audit entities in that table), and why the others have none. The
 * README's parity row is rendered from this list (constructs/azure/parity.ts), and a test checks it names every command.
 * No imports: the parity table reads it without loading the CLI.
 */
export interface CliCloudForm {
  /** The command as typed, e.g. `key rotate`. */
  readonly command: string;
  /** `true` when `--cloud azure` works; else why it does not (a gap). */
  readonly azure: true | string;
}

export const CLI_CLOUD_FORMS: readonly CliCloudForm[] = [
  { command: 'tenant add', azure: true },
  { command: 'tenant list', azure: true },
  { command: 'tenant show', azure: true },
  { command: 'tenant disable', azure: true },
  { command: 'tenant bind-client', azure: 'it binds Cognito app clients; an Azure issuer asserts its tenants itself, bound by identity.issuers[].tenants' },
  { command: 'key issue', azure: true },
  { command: 'key list', azure: true },
  { command: 'key rotate', azure: true },
  { command: 'key revoke', azure: true },
  { command: 'token revoke', azure: true },
  { command: 'spec write', azure: true },
  { command: 'report', azure: 'it renders cdk-nag evidence of an AWS cdk.out; on Azure, cdktf synth writes compliance-results.json itself' },
  { command: 'doctor', azure: 'its checks (table status, issuer metadata, clock) read an AWS cdk.out and DynamoDB' },
];

/** What `--cloud azure` does not do yet, beyond the commands without an Azure form. */
export const CLI_AZURE_GAPS: readonly string[] = [
  'metering through API Management subscriptions or products (tenant add creates no metering key; the per-tenant limits key on the decision\'s tenant)',
  'audit lines go to the platform table (AUDIT#<day> entities), not to Log Analytics or the immutable archive',
];
