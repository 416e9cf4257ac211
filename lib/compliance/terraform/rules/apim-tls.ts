import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { block, verdict } from '../util';

/** Protocols below TLS 1.2, 3DES and CBC / non-forward-secret ciphers, explicitly off on API Management. */
const MUST_BE_FALSE = [
  'frontend_ssl30_enabled', 'frontend_tls10_enabled', 'frontend_tls11_enabled',
  'backend_ssl30_enabled', 'backend_tls10_enabled', 'backend_tls11_enabled',
  'triple_des_ciphers_enabled',
  'tls_ecdhe_ecdsa_with_aes128_cbc_sha_ciphers_enabled', 'tls_ecdhe_ecdsa_with_aes256_cbc_sha_ciphers_enabled',
  'tls_ecdhe_rsa_with_aes128_cbc_sha_ciphers_enabled', 'tls_ecdhe_rsa_with_aes256_cbc_sha_ciphers_enabled',
  'tls_rsa_with_aes128_cbc_sha256_ciphers_enabled', 'tls_rsa_with_aes128_cbc_sha_ciphers_enabled',
  'tls_rsa_with_aes128_gcm_sha256_ciphers_enabled', 'tls_rsa_with_aes256_cbc_sha256_ciphers_enabled',
  'tls_rsa_with_aes256_cbc_sha_ciphers_enabled', 'tls_rsa_with_aes256_gcm_sha384_ciphers_enabled',
] as const;

/** API Management turns off SSL 3.0, TLS 1.0/1.1 (front and back end), 3DES and weak ciphers, explicitly. */
export const ApimTls: TfRule = {
  id: 'SecureApiAz-ApimTls',
  requirement: 'API Management sets every protocol below TLS 1.2 and every weak cipher to false in its security block',
  controls: CONTROL_SETS.transitEncryption,
  resourceTypes: ['azurerm_api_management'],
  check: (r) => {
    const security = block(r.attributes, 'security');
    if (!security) return verdict(['no security block; set every *_ssl30/*_tls10/*_tls11 and weak-cipher flag to false explicitly']);
    const on = MUST_BE_FALSE.filter((k) => security[k] !== false);
    return verdict(on.length === 0 ? [] : [`security.${on.join(', security.')} must be false (unset or unresolved counts as on)`]);
  },
};
