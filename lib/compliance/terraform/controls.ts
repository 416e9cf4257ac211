import { TfControls } from './types';

/**
 * Control sets shared by the Terraform rules: PCI DSS 4.0 requirement, HIPAA Security Rule paragraph, NIST SP 800-53
 * R5 control, the same ids the AWS `SecureApi-*` pack reports, so one report speaks one assessor's language.
 */
export const CONTROLS = {
  transitEncryption: { pci: ['4.2.1'], hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'], nist: ['SC-8', 'SC-8(1)', 'SC-13'] },
  webApplicationFirewall: { pci: ['6.4.1', '6.4.2'], hipaa: ['164.312(e)(1)'], nist: ['SC-7', 'SI-4'] },
  denialOfService: { pci: ['6.4.2'], hipaa: ['164.308(a)(7)(i)'], nist: ['SC-5'] },
  boundaryProtection: { pci: ['1.3.1', '1.3.2', '1.4.1'], hipaa: ['164.312(e)(1)'], nist: ['SC-7', 'AC-4'] },
  authentication: { pci: ['7.2.1', '8.3.1'], hipaa: ['164.312(a)(1)', '164.312(d)'], nist: ['AC-3', 'IA-2', 'IA-5'] },
  leastPrivilege: { pci: ['7.2.1', '7.2.2'], hipaa: ['164.312(a)(1)'], nist: ['AC-3', 'AC-6'] },
  keyManagement: { pci: ['3.6.1', '3.7.1'], hipaa: ['164.312(a)(2)(iv)'], nist: ['SC-12', 'SC-13'] },
  keyRecovery: { pci: ['3.6.1', '3.7.4'], hipaa: ['164.312(a)(2)(iv)', '164.312(c)(1)'], nist: ['SC-12', 'CP-9'] },
  restEncryption: { pci: ['3.5.1'], hipaa: ['164.312(a)(2)(iv)'], nist: ['SC-28', 'SC-28(1)'] },
  auditIntegrity: { pci: ['10.3.3', '10.5.1'], hipaa: ['164.312(b)', '164.312(c)(1)', '164.316(b)(2)(i)'], nist: ['AU-9', 'AU-11'] },
  auditRetention: { pci: ['10.5.1'], hipaa: ['164.312(b)', '164.316(b)(2)(i)'], nist: ['AU-11'] },
  auditLogging: { pci: ['10.2.1', '10.2.2', '10.4.1'], hipaa: ['164.312(b)'], nist: ['AU-2', 'AU-12', 'SI-4'] },
  continuousCompliance: { pci: ['2.2.1', '12.4.2'], hipaa: ['164.308(a)(8)'], nist: ['CA-7', 'CM-6'] },
  threatDetection: { pci: ['11.5.1', '10.4.1'], hipaa: ['164.308(a)(1)(ii)(D)', '164.312(b)'], nist: ['SI-4', 'RA-5'] },
} as const satisfies Record<string, TfControls>;
