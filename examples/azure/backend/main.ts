/** Entry point of the orders function app: registers the handler for every orders route. */
import { TableClient } from '@azure/data-tables';
import { app } from '@azure/functions';
import { ManagedIdentityCredential } from '@azure/identity';
import { createOrdersHandler, depsFromEnvironment, ORDERS_ENV } from './index';

const credential = new ManagedIdentityCredential();
const endpoint = process.env[ORDERS_ENV.tableEndpoint] ?? '';
const handler = createOrdersHandler(depsFromEnvironment((name) => new TableClient(endpoint, name, credential)));
app.http('orders', { methods: ['GET', 'POST'], authLevel: 'function', route: '{*path}', handler });
