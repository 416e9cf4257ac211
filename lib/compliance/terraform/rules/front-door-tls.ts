import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, expectLiteral, isUnresolved, notApplicable, verdict } from '../util';

/** Front Door serves HTTPS only (TLS 1.2 minimum on custom domains) and validates origin certificates. */
export const FrontDoorTls: TfRule = {
  id: 'SecureApiAz-FrontDoorTls',
  requirement: 'Front Door routes accept and forward HTTPS only, custom domains require TLS 1.2 or newer, origins validate certificates',
  controls: CONTROL_SETS.transitEncryption,
  resourceTypes: ['azurerm_cdn_frontdoor_route', 'azurerm_cdn_frontdoor_custom_domain', 'azurerm_cdn_frontdoor_origin'],
  check: (r) => {
    const a = r.attributes;
    switch (r.type) {
      case 'azurerm_cdn_frontdoor_route': {
        const protocols = a.supported_protocols;
        const problems = expectLiteral(a, 'forwarding_protocol', 'HttpsOnly', 'the origin hop must be encrypted too');
        if (!Array.isArray(protocols) || protocols.some((p) => p !== 'Https')) {
          problems.push(`supported_protocols must be ["Https"] (received: ${JSON.stringify(protocols)}); plain HTTP would carry tokens in clear`);
        }
        return verdict(problems);
      }
      case 'azurerm_cdn_frontdoor_custom_domain': {
        const tls = block(a, 'tls');
        const v = tls?.minimum_tls_version;
        const ok = !isUnresolved(v) && (v === 'TLS12' || v === 'TLS13');
        return verdict(ok ? [] : [`tls.minimum_tls_version must be "TLS12" or newer (received: ${JSON.stringify(v)})`]);
      }
      case 'azurerm_cdn_frontdoor_origin':
        return verdict(expectLiteral(a, 'certificate_name_check_enabled', true, 'Front Door must verify the origin certificate'));
      default:
        return notApplicable();
    }
  },
};
