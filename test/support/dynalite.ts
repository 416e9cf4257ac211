import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, KeySchemaElement, AttributeDefinition } from '@aws-sdk/client-dynamodb';

// dynalite has no type declarations; its factory returns an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => import('node:http').Server;

/** A DynamoDB-compatible server on 127.0.0.1 (in memory) and a real AWS SDK client pointed at it. */
export async function startDynalite(): Promise<{ client: DynamoDBClient; endpoint: string; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Creates a pay-per-request table with the given string hash (and optional range) key. */
export async function createTable(client: DynamoDBClient, name: string, hash: string, range?: string): Promise<void> {
  const keys: KeySchemaElement[] = [{ AttributeName: hash, KeyType: 'HASH' }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : [])];
  const attrs: AttributeDefinition[] = keys.map((k) => ({ AttributeName: k.AttributeName!, AttributeType: 'S' }));
  await client.send(new CreateTableCommand({ TableName: name, KeySchema: keys, AttributeDefinitions: attrs, BillingMode: 'PAY_PER_REQUEST' }));
}
