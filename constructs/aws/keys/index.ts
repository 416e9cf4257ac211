export { PlatformKeys, type PlatformKeysProps } from './platform-keys';
export { type OriginVerifyPropagation, OriginVerifySecret, type OriginVerifySecretProps } from './origin-verify-secret';
export { type CloudHsmInitialization, CloudHsmKeyStore, type CloudHsmKeyStoreProps } from './cloudhsm-key-store';
export { PlatformSecret, type PlatformSecretProps, type SecretRotation } from './platform-secret';
