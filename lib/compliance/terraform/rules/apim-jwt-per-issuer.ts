import { CONTROLS } from '../controls';
import { apiPolicyXml } from '../policy-xml';
import { TfRule } from '../types';
import { compliant, verdict } from '../util';

const VALIDATE_JWT = /<validate-jwt\b[\s\S]*?<\/validate-jwt>/g;
const xmlUnescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Problems of one policy document: each validate-jwt trusts one issuer, chosen by a condition on that issuer. */
export function perIssuerProblems(xml: string): string[] {
  const problems: string[] = [];
  for (const m of xml.matchAll(VALIDATE_JWT)) {
    const element = m[0];
    const configs = (element.match(/<openid-config\b/g) ?? []).length;
    const keys = (element.match(/<issuer-signing-keys\b/g) ?? []).length;
    const issuers = [...element.matchAll(/<issuer>([^<]*)<\/issuer>/g)].map((i) => xmlUnescape(i[1]));
    if (configs + keys !== 1 || issuers.length !== 1) {
      problems.push(`a validate-jwt trusts ${issuers.length} issuers with ${configs + keys} key sources; API Management does not bind keys to issuers, so one issuer's key could sign a token claiming another: one validate-jwt per issuer, inside <choose><when> on that issuer`);
      continue;
    }
    const before = xml.slice(0, m.index);
    const when = /<when condition="([^"]*)">$/.exec(before);
    if (!when || !xmlUnescape(when[1]).includes(JSON.stringify(issuers[0]))) {
      problems.push(`the validate-jwt for ${issuers[0]} is not chosen by a <when> on the token's issuer; other issuers' tokens would meet this issuer's audiences`);
    }
  }
  return problems;
}

/**
 * Token validation is per issuer: every `validate-jwt` (API and operation policies) has one key source and one issuer,
 * and sits in a `<when>` whose condition names that issuer (the token's unverified `iss`). A validate-jwt that pools
 * issuers accepts one issuer's audience for another, and may accept a token signed by one claiming the other.
 */
export const ApimJwtPerIssuer: TfRule = {
  id: 'SecureApiAz-ApimJwtPerIssuer',
  description: 'Each validate-jwt trusts one issuer (one OpenID configuration, one issuer name) and is chosen by a <when> on that issuer',
  controls: CONTROLS.authentication,
  resourceTypes: ['azurerm_api_management_api', 'azurerm_api_management_api_operation_policy'],
  evaluate: (r, ctx) => {
    const xml = r.type === 'azurerm_api_management_api'
      ? apiPolicyXml(r, ctx)
      : [typeof r.attributes.xml_content === 'string' ? r.attributes.xml_content : ''];
    const problems = xml.flatMap(perIssuerProblems);
    return problems.length === 0 ? compliant() : verdict(problems);
  },
};
