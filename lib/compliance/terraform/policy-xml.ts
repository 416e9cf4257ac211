import { TfResource, TfRuleContext } from './types';
import { ofType, references } from './util';

/** The XML of the API-level policies that apply to an API (matched by reference to the API's name). */
export function apiPolicyXml(api: TfResource, ctx: TfRuleContext): string[] {
  return ofType(ctx.resources, 'azurerm_api_management_api_policy')
    .filter((p) => references(p.attributes.api_name, api) || (typeof p.attributes.api_name === 'string' && p.attributes.api_name === api.attributes.name))
    .map((p) => (typeof p.attributes.xml_content === 'string' ? p.attributes.xml_content : ''));
}

/** The service-wide (global) policies of the configuration. */
export function globalPolicyXml(ctx: TfRuleContext): string[] {
  return ofType(ctx.resources, 'azurerm_api_management_policy').map((p) => (typeof p.attributes.xml_content === 'string' ? p.attributes.xml_content : ''));
}

/** The `<inbound>` section of a policy document. */
export function inbound(xml: string): string {
  const m = /<inbound>([\s\S]*?)<\/inbound>/.exec(xml);
  return m ? m[1] : '';
}
