import { CONTROL_SETS } from '../../controls';
import { TfRule } from '../types';
import { expectLiteral, verdict } from '../util';

/** Storage accounts: TLS 1.2, HTTPS only, no anonymous blob access, infrastructure (double) encryption, no shared keys. */
export const StorageSecure: TfRule = {
  id: 'SecureApiAz-StorageSecure',
  requirement: 'Storage accounts require TLS1_2 and HTTPS, forbid public blobs and shared keys, and use infrastructure encryption',
  controls: CONTROL_SETS.storageProtection,
  resourceTypes: ['azurerm_storage_account'],
  check: (r) => {
    const a = r.attributes;
    return verdict([
      ...expectLiteral(a, 'min_tls_version', 'TLS1_2'),
      ...(a.https_traffic_only_enabled === undefined ? [] : expectLiteral(a, 'https_traffic_only_enabled', true)),
      ...expectLiteral(a, 'allow_nested_items_to_be_public', false),
      ...expectLiteral(a, 'infrastructure_encryption_enabled', true),
      ...expectLiteral(a, 'shared_access_key_enabled', false, 'use Entra ID (storage_use_azuread) instead of account keys'),
    ]);
  },
};
