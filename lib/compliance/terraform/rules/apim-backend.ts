import { CONTROLS } from '../controls';
import { apiPolicyXml, inbound } from '../policy-xml';
import { TfRule } from '../types';
import { compliant, nonCompliant } from '../util';

/**
 * Every API has something behind it: a `service_url`, or an API policy that selects a backend entity
 * (`set-backend-service backend-id`). An API with neither answers every authorized request with an error.
 */
export const ApimBackend: TfRule = {
  id: 'SecureApiAz-ApimBackend',
  description: 'APIs have a backend: a service_url or an API policy that selects a backend entity (set-backend-service)',
  controls: CONTROLS.continuousCompliance,
  resourceTypes: ['azurerm_api_management_api'],
  evaluate: (r, ctx) => {
    const url = r.attributes.service_url;
    if (typeof url === 'string' && url !== '') return compliant();
    return apiPolicyXml(r, ctx).some((x) => /<set-backend-service\b[^>]*\bbackend-id="[^"]+"/.test(inbound(x)))
      ? compliant()
      : nonCompliant('the API has no service_url and no API policy selects a backend (set-backend-service backend-id): give Lambda-kind APIs a Functions backend (AzureSecureApiPlatform backendPackages)');
  },
};
