/**
 * Entry point of the authorizer Azure Function app (bundled ahead of synth into assets/azure-authorizer.zip): builds
 * one handler per instance from the app settings and registers it as `POST /api/authorize` (function key required).
 * The stores are the Cosmos DB for Table account, reached with the app's managed identity. A missing or invalid
 * configuration does not crash the worker: every request is denied (401) and logged with reason `config_error`.
 */
// The Azure SDKs are bundled into the function's package ahead of synth (scripts/bundle-azure.mjs), so they are
// development dependencies: nothing of the published package loads this file.
/* eslint-disable import/no-extraneous-dependencies */
import { TableClient } from '@azure/data-tables';
import { app } from '@azure/functions';
import { ManagedIdentityCredential } from '@azure/identity';
/* eslint-enable import/no-extraneous-dependencies */
import { AZURE_AUTHORIZER_ENV, AZURE_AUTHORIZER_ROUTE } from './azure-contract';
import { AzureHttpHandler, configErrorHandler, createAzureAuthorizerHandler } from './azure-function';
import { AuthorizerConfig } from '../config';
import { AzureTablesAuthorizerStore } from '../stores/azure-tables';

function build(): AzureHttpHandler {
  try {
    const raw = process.env[AZURE_AUTHORIZER_ENV.config];
    const endpoint = process.env[AZURE_AUTHORIZER_ENV.tableEndpoint];
    const tableName = process.env[AZURE_AUTHORIZER_ENV.tableName];
    if (!raw) throw new Error(`${AZURE_AUTHORIZER_ENV.config} is not set`);
    if (!endpoint || !tableName) throw new Error(`${AZURE_AUTHORIZER_ENV.tableEndpoint} and ${AZURE_AUTHORIZER_ENV.tableName} must be set`);
    const store = new AzureTablesAuthorizerStore({ client: new TableClient(endpoint, tableName, new ManagedIdentityCredential()) });
    return createAzureAuthorizerHandler(JSON.parse(raw) as AuthorizerConfig, {
      stores: { apiKeys: store, revocations: store, tenants: store },
      prefetchJwks: true,
    });
  } catch (e) {
    return configErrorHandler(e instanceof Error ? e.message : String(e));
  }
}

app.http(AZURE_AUTHORIZER_ROUTE, { methods: ['POST'], authLevel: 'function', route: AZURE_AUTHORIZER_ROUTE, handler: build() });
