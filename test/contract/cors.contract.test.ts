// The CORS preflight, rendered by both clouds from one spec: API Gateway's OPTIONS methods and API Management's cors
// policy allow the same request headers (Authorization, Content-Type, the API key header, Idempotency-Key) and let a
// browser keep the answer for the same time. Read from the synthesized template and the synthesized cdk.tf.json.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Testing, TerraformStack } from 'cdktf';
import { XMLParser } from 'fast-xml-parser';
import { SecureRestApi } from '../../constructs/aws/gateway';
import { AzureSecureApiPlatform } from '../../constructs/azure';
import { PlatformSpec, resolveSpec } from '../../lib/spec';
import { AZURE_BACKEND_PACKAGE, azureSpec } from '../fixtures/azure-spec';

const ORIGIN = 'https://app.shop.test';
const azure: PlatformSpec = { ...azureSpec([{ name: 'a', issuer: 'https://a.example.com', audience: ['api://a'] }]), cors: { allowOrigins: [ORIGIN] }, edge: { cdn: true, apiKeyHeader: 'x-shop-key' } };
// The same APIs, plans, CORS and edge in AWS regions.
const aws: PlatformSpec = { ...azure, regions: { primary: 'eu-west-1', secondaries: ['eu-central-1'] } };

interface Preflight { readonly headers: string[]; readonly maxAge: number; readonly origins: string[] }
const sorted = (headers: string[]) => headers.map((h) => h.trim().toLowerCase()).sort();

function awsPreflights(): Preflight[] {
  const stack = new Stack(new App(), 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const backend = lambda.Function.fromFunctionArn(stack, 'B', 'arn:aws:lambda:eu-west-1:111111111111:function:b');
  const table = dynamodb.TableV2.fromTableName(stack, 'Table', 'shop-platform');
  const issuers = [{ issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/.well-known/jwks.json', audience: ['api://a'] }];
  new SecureRestApi(stack, 'Api', { spec: resolveSpec(aws), api: 'orders', backend, table, issuers });
  const methods = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
  return methods.map((m) => {
    const p = m.Properties.Integration.IntegrationResponses[0].ResponseParameters as Record<string, string>;
    const value = (name: string) => String(p[`method.response.header.${name}`]).replace(/^'|'$/g, '');
    return { headers: sorted(value('Access-Control-Allow-Headers').split(',')), maxAge: Number(value('Access-Control-Max-Age')), origins: [value('Access-Control-Allow-Origin')] };
  });
}

function azurePreflights(): Preflight[] {
  const s = new TerraformStack(Testing.app(), 's');
  new AzureSecureApiPlatform(s, 'P', { spec: azure, publisherEmail: 'a@example.com', backendPackages: { 'orders-v1': { packagePath: AZURE_BACKEND_PACKAGE } }, enforceCompliance: false });
  const out = JSON.parse(Testing.synth(s)) as { resource: Record<string, Record<string, { xml_content: string }>> };
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'header' || name === 'origin' });
  return Object.values(out.resource.azurerm_api_management_api_policy).map((p) => {
    const cors = parser.parse(p.xml_content).policies.inbound.cors;
    return {
      headers: sorted(cors['allowed-headers'].header as string[]),
      maxAge: Number(cors['allowed-methods']['@_preflight-result-max-age']),
      origins: cors['allowed-origins'].origin as string[],
    };
  });
}

test('API Gateway and API Management answer a preflight with the same headers and max age', () => {
  const onAws = awsPreflights();
  const onAzure = azurePreflights();
  expect(onAws.length).toBeGreaterThan(0);
  expect(onAzure.length).toBeGreaterThan(0);
  const [reference] = onAws;
  expect(reference.headers).toEqual(sorted(['Authorization', 'Content-Type', 'x-shop-key', 'Idempotency-Key']));
  expect(reference.origins).toEqual([ORIGIN]);
  for (const p of [...onAws, ...onAzure]) expect(p).toEqual(reference);
});
