/**
 * Titles of the control ids cdk-nag's packs report (HIPAA Security, PCI DSS 3.2.1, NIST SP 800-53 Rev. 5), so the
 * human report speaks an assessor's language. The titles of the ids the platform's own rules map to (PCI DSS 4.0 and
 * the rest) live in `../controls`; this module adds cdk-nag's and resolves any id to a title.
 *
 * Sources: NIST SP 800-53 Rev. 5 control and enhancement names and the HIPAA Security Rule's headings (45 CFR Part 164
 * Subpart C) are US Government works, quoted by name. PCI DSS text is copyrighted by the PCI Security Standards
 * Council: every PCI DSS title here is our own paraphrase of what the requirement asks, not its wording.
 */
import { REQUIREMENT_TITLES } from '../controls';

/** PCI DSS 3.2.1 requirements cdk-nag's PCI pack maps to (paraphrased). */
const PCI_321: Readonly<Record<string, string>> = {
  '1.2': 'Network configurations restrict connections between untrusted networks and the cardholder data environment',
  '1.2.1': 'Inbound and outbound traffic is limited to what the cardholder data environment needs; the rest is denied',
  '1.3': 'No direct public access between the internet and the cardholder data environment',
  '1.3.1': 'A DMZ limits inbound traffic to components that provide authorized public services',
  '1.3.2': 'Inbound internet traffic is limited to addresses within the DMZ',
  '1.3.4': 'Unauthorized outbound traffic from the cardholder data environment to the internet is blocked',
  '1.3.6': 'Components that store cardholder data sit in an internal network zone, apart from the DMZ',
  '2.1': 'Vendor defaults are changed and unneeded default accounts removed before a system joins the network',
  '2.2': 'Configuration standards address known vulnerabilities and follow accepted hardening guidance',
  '2.2.2': 'Only the services, protocols and daemons a system needs are enabled',
  '2.3': 'Non-console administrative access is encrypted with strong cryptography',
  '3.1': 'Stored cardholder data is kept to a minimum under retention and disposal rules',
  '3.4': 'Stored primary account numbers are made unreadable',
  '3.5': 'Keys that protect stored cardholder data are protected against disclosure and misuse',
  '3.6': 'Key-management processes cover the keys that protect cardholder data',
  '3.6.4': 'Keys are changed at the end of their defined cryptoperiod',
  '4.1': 'Strong cryptography protects cardholder data sent over open, public networks',
  '6.2': 'Components are protected from known vulnerabilities by timely vendor patches',
  '6.6': 'Public-facing web applications are protected against attacks by review or an automated solution',
  '7.1.1': 'The access needs of each role are defined',
  '7.1.2': 'Privileged access is limited to the least privilege the job needs',
  '7.1.3': 'Access follows each person\'s job classification and function',
  '7.2.1': 'The access control system covers every system component',
  '7.2.2': 'Privileges are assigned by job classification and function',
  '8.2.1': 'Credentials are unreadable in transmission and storage (strong cryptography)',
  '10.1': 'Audit trails link each access to system components to an individual user',
  '10.2.1': 'Audit trails record individual user access to cardholder data',
  '10.2.2': 'Audit trails record the actions of anyone with root or administrative privileges',
  '10.2.3': 'Audit trails record access to the audit trails themselves',
  '10.2.4': 'Audit trails record invalid logical access attempts',
  '10.2.5': 'Audit trails record the use of and changes to identification and authentication mechanisms',
  '10.2.7': 'Audit trails record the creation and deletion of system-level objects',
  '10.3.1': 'Each audit entry records who (user identification)',
  '10.3.2': 'Each audit entry records what kind of event',
  '10.3.3': 'Each audit entry records when (date and time)',
  '10.3.4': 'Each audit entry records whether it succeeded or failed',
  '10.3.5': 'Each audit entry records where the event came from',
  '10.3.6': 'Each audit entry records which data, component or resource was affected',
  '10.5': 'Audit trails are secured so that they cannot be altered',
  '10.5.2': 'Audit trail files are protected from unauthorized change',
  '10.5.3': 'Audit trail files are promptly backed up to a central store that is hard to alter',
  '10.5.4': 'Logs of external-facing technologies go to a secure internal log store',
  '10.5.5': 'File-integrity monitoring or change detection keeps logs from changing unnoticed',
  '10.7': 'Audit trail history is kept at least a year, the last three months at hand',
  '11.5': 'Change detection alerts on unauthorized changes to critical files',
};

/** HIPAA Security Rule paragraphs cdk-nag's HIPAA pack maps to beyond those in `../controls` (45 CFR 164.308). */
const HIPAA: Readonly<Record<string, string>> = {
  '164.308(a)(3)(i)': 'Workforce security',
  '164.308(a)(3)(ii)(A)': 'Authorization and/or supervision',
  '164.308(a)(3)(ii)(B)': 'Workforce clearance procedure',
  '164.308(a)(4)(i)': 'Information access management',
  '164.308(a)(4)(ii)(A)': 'Isolating health care clearinghouse functions',
  '164.308(a)(4)(ii)(B)': 'Access authorization',
  '164.308(a)(4)(ii)(C)': 'Access establishment and modification',
  '164.308(a)(5)(ii)(A)': 'Security reminders',
  '164.308(a)(5)(ii)(C)': 'Log-in monitoring',
  '164.308(a)(7)(i)': 'Contingency plan',
  '164.308(a)(7)(ii)(A)': 'Data backup plan',
  '164.308(a)(7)(ii)(B)': 'Disaster recovery plan',
  '164.308(a)(7)(ii)(C)': 'Emergency mode operation plan',
};

/** NIST SP 800-53 Rev. 5 base controls and enhancements cdk-nag's NIST pack maps to beyond those in `../controls`. */
const NIST: Readonly<Record<string, string>> = {
  'AC-2': 'Account Management',
  'AC-2(1)': 'Automated System Account Management',
  'AC-2(4)': 'Automated Audit Actions',
  'AC-2(6)': 'Dynamic Privilege Management',
  'AC-3(1)': 'Restricted Access to Privileged Functions (withdrawn)',
  'AC-3(3)': 'Mandatory Access Control',
  'AC-3(4)': 'Discretionary Access Control',
  'AC-3(7)': 'Role-based Access Control',
  'AC-3(8)': 'Revocation of Access Authorizations',
  'AC-3(10)': 'Audited Override of Access Control Mechanisms',
  'AC-3(12)': 'Assert and Enforce Application Access',
  'AC-3(13)': 'Attribute-based Access Control',
  'AC-3(15)': 'Discretionary and Mandatory Access Control',
  'AC-4(21)': 'Physical or Logical Separation of Information Flows',
  'AC-4(22)': 'Access Only',
  'AC-4(26)': 'Audit Filtering Actions',
  'AC-4(28)': 'Linear Filter Pipelines',
  'AC-5': 'Separation of Duties',
  'AC-6': 'Least Privilege',
  'AC-6(2)': 'Non-privileged Access for Nonsecurity Functions',
  'AC-6(3)': 'Network Access to Privileged Commands',
  'AC-6(9)': 'Log Use of Privileged Functions',
  'AC-6(10)': 'Prohibit Non-privileged Users from Executing Privileged Functions',
  'AC-16': 'Security and Privacy Attributes',
  'AC-17': 'Remote Access',
  'AC-17(1)': 'Monitoring and Control',
  'AC-17(2)': 'Protection of Confidentiality and Integrity Using Encryption',
  'AC-17(4)': 'Privileged Commands and Access',
  'AC-17(9)': 'Disconnect or Disable Access',
  'AC-17(10)': 'Authenticate Remote Commands',
  'AC-24': 'Access Control Decisions',
  'AC-24(1)': 'Transmit Access Authorization Information',
  'AT-4': 'Training Records',
  'AU-4': 'Audit Log Storage Capacity',
  'AU-4(1)': 'Transfer to Alternate Storage',
  'AU-6(1)': 'Automated Process Integration',
  'AU-6(3)': 'Correlate Audit Record Repositories',
  'AU-6(4)': 'Central Review and Analysis',
  'AU-6(5)': 'Integrated Analysis of Audit Records',
  'AU-6(6)': 'Correlation with Physical Monitoring',
  'AU-6(9)': 'Correlation with Information from Nontechnical Sources',
  'AU-7': 'Audit Record Reduction and Report Generation',
  'AU-7(1)': 'Automatic Processing',
  'AU-8': 'Time Stamps',
  'AU-9(2)': 'Store on Separate Physical Systems or Components',
  'AU-9(3)': 'Cryptographic Protection',
  'AU-9(7)': 'Store on Component with Different Operating System',
  'AU-10': 'Non-repudiation',
  'AU-11(1)': 'Long-term Retrieval Capability',
  'AU-12(1)': 'System-wide and Time-correlated Audit Trail',
  'AU-12(2)': 'Standardized Formats',
  'AU-12(3)': 'Changes by Authorized Individuals',
  'AU-12(4)': 'Query Parameter Audits of Personally Identifiable Information',
  'AU-14': 'Session Audit',
  'AU-14(3)': 'Remote Viewing and Listening',
  'AU-16': 'Cross-organizational Audit Logging',
  'CA-2': 'Control Assessments',
  'CA-2(2)': 'Specialized Assessments',
  'CA-7': 'Continuous Monitoring',
  'CA-7(4)': 'Risk Monitoring',
  'CA-9': 'Internal System Connections',
  'CM-2': 'Baseline Configuration',
  'CM-2(2)': 'Automation Support for Accuracy and Currency',
  'CM-3': 'Configuration Change Control',
  'CM-3(3)': 'Automated Change Implementation',
  'CM-5': 'Access Restrictions for Change',
  'CM-5(1)': 'Automated Access Enforcement and Audit Records',
  'CM-6': 'Configuration Settings',
  'CM-8': 'System Component Inventory',
  'CM-8(6)': 'Assessed Configurations and Approved Deviations',
  'CM-9': 'Configuration Management Plan',
  'CP-1': 'Policy and Procedures',
  'CP-2': 'Contingency Plan',
  'CP-2(5)': 'Continue Mission and Business Functions',
  'CP-2(6)': 'Alternate Processing and Storage Sites',
  'CP-6': 'Alternate Storage Site',
  'CP-6(1)': 'Separation from Primary Site',
  'CP-6(2)': 'Recovery Time and Recovery Point Objectives',
  'CP-9(8)': 'Cryptographic Protection',
  'CP-10(2)': 'Transaction Recovery',
  'IA-3(3)': 'Dynamic Address Allocation',
  'IA-5(1)': 'Password-based Authentication',
  'MA-4': 'Nonlocal Maintenance',
  'MA-4(1)': 'Logging and Review',
  'MP-2': 'Media Access',
  'PM-11': 'Mission and Business Process Definition',
  'PM-14': 'Testing, Training, and Monitoring',
  'PM-17': 'Protecting Controlled Unclassified Information on External Systems',
  'PM-21': 'Accounting of Disclosures',
  'PM-31': 'Continuous Monitoring Strategy',
  'SA-1': 'Policy and Procedures',
  'SA-9': 'External System Services',
  'SA-9(6)': 'Organization-controlled Cryptographic Keys',
  'SA-10': 'Developer Configuration Management',
  'SA-10(1)': 'Software and Firmware Integrity Verification',
  'SA-15': 'Development Process, Standards, and Tools',
  'SC-5(2)': 'Capacity, Bandwidth, and Redundancy',
  'SC-7(2)': 'Public Access (withdrawn)',
  'SC-7(3)': 'Access Points',
  'SC-7(4)': 'External Telecommunications Services',
  'SC-7(5)': 'Deny by Default — Allow by Exception',
  'SC-7(7)': 'Split Tunneling for Remote Devices',
  'SC-7(9)': 'Restrict Threatening Outgoing Communications Traffic',
  'SC-7(11)': 'Restrict Incoming Communications Traffic',
  'SC-7(12)': 'Host-based Protection',
  'SC-7(16)': 'Prevent Discovery of System Components',
  'SC-7(20)': 'Dynamic Isolation and Segregation',
  'SC-7(21)': 'Isolation of System Components',
  'SC-7(24)': 'Personally Identifiable Information',
  'SC-7(25)': 'Unclassified National Security System Connections',
  'SC-7(26)': 'Classified National Security System Connections',
  'SC-7(27)': 'Unclassified Non-national Security System Connections',
  'SC-7(28)': 'Connections to Public Networks',
  'SC-8(2)': 'Pre- and Post-transmission Handling',
  'SC-8(3)': 'Cryptographic Protection for Message Externals',
  'SC-8(4)': 'Conceal or Randomize Communications',
  'SC-8(5)': 'Protected Distribution System',
  'SC-12(2)': 'Symmetric Keys',
  'SC-12(6)': 'Physical Control of Keys',
  'SC-16': 'Transmission of Security and Privacy Attributes',
  'SC-16(1)': 'Integrity Verification',
  'SC-22': 'Architecture and Provisioning for Name/Address Resolution Service',
  'SC-23': 'Session Authenticity',
  'SC-23(3)': 'Unique System-generated Session Identifiers',
  'SC-23(5)': 'Allowed Certificate Authorities',
  'SC-25': 'Thin Nodes',
  'SC-28(1)': 'Cryptographic Protection',
  'SC-28(2)': 'Offline Storage',
  'SC-36': 'Distributed Processing and Storage',
  'SC-36(1)': 'Polling Techniques',
  'SI-1': 'Policy and Procedures',
  'SI-2': 'Flaw Remediation',
  'SI-2(2)': 'Automated Flaw Remediation Status',
  'SI-2(5)': 'Automatic Software and Firmware Updates',
  'SI-3': 'Malicious Code Protection',
  'SI-3(8)': 'Detect Unauthorized Commands',
  'SI-4(2)': 'Automated Tools and Mechanisms for Real-time Analysis',
  'SI-4(12)': 'Automated Organization-generated Alerts',
  'SI-4(17)': 'Integrated Situational Awareness',
  'SI-4(20)': 'Privileged Users',
  'SI-5': 'Security Alerts, Advisories, and Directives',
  'SI-5(1)': 'Automated Alerts and Advisories',
  'SI-7(1)': 'Integrity Checks',
  'SI-7(3)': 'Centrally Managed Integrity Tools',
  'SI-7(7)': 'Integration of Detection and Response',
  'SI-7(8)': 'Auditing Capability for Significant Events',
  'SI-10': 'Information Input Validation',
  'SI-10(1)': 'Manual Override Capability',
  'SI-12': 'Information Management and Retention',
  'SI-13': 'Predictable Failure Prevention',
  'SI-13(5)': 'Failover Capability',
  'SI-19': 'De-identification',
  'SI-19(4)': 'Removal, Masking, Encryption, Hashing, or Replacement of Direct Identifiers',
};

/** Frameworks with control ids. */
export type TitledFramework = 'pci' | 'pci321' | 'hipaa' | 'nist';

const TABLES: Record<TitledFramework, Readonly<Record<string, string>>> = {
  pci: REQUIREMENT_TITLES.pci,
  pci321: PCI_321,
  hipaa: { ...REQUIREMENT_TITLES.hipaa, ...HIPAA },
  nist: { ...REQUIREMENT_TITLES.nist, ...NIST },
};

const own = (table: Readonly<Record<string, string>>, id: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;

/**
 * A control id as the report lists it. cdk-nag writes one HIPAA id without its closing parenthesis
 * (`164.312(e)(1`): parentheses are balanced so it joins its siblings.
 */
export function normalizeControlId(id: string): string {
  const open = (id.match(/\(/g) ?? []).length - (id.match(/\)/g) ?? []).length;
  return open > 0 ? id + ')'.repeat(open) : id;
}

/**
 * The title of a control id, or undefined when the id is not known. A NIST id names a control (`AU-3`), an enhancement
 * (`AU-9(3)`) or an item of either (`AU-3a`, `AC-2i.2`, `AC-3(4)(b)`): an item is titled by the nearest control or
 * enhancement the tables know, and the rest of the id, e.g. `Content of Audit Records, item a`.
 */
export function controlTitle(framework: TitledFramework, id: string): string | undefined {
  const table = TABLES[framework];
  const exact = own(table, id);
  if (exact !== undefined || framework !== 'nist') return exact;
  const m = /^([A-Z]{2}-\d+)(\(\d+\))?(.*)$/.exec(id);
  if (!m) return undefined;
  const enhancement = m[2] === undefined ? undefined : own(table, `${m[1]}${m[2]}`);
  if (enhancement !== undefined) return `${enhancement}, item ${m[3]}`;
  const control = own(table, m[1]);
  return control === undefined ? undefined : `${control}, item ${(m[2] ?? '') + m[3]}`;
}
