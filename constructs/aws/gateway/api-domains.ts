import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec, TlsPolicy } from '../../../lib/spec';
import { PlatformNames } from '../common/names';

/** The enhanced (TLS 1.3) API Gateway policy of each spec TLS policy. */
export const TLS_POLICIES: Readonly<Record<TlsPolicy, apigw.SecurityPolicy>> = {
  TLS13: apigw.SecurityPolicy.TLS13_1_3_2025_09,
  TLS13_FIPS: apigw.SecurityPolicy.TLS13_1_3_FIPS_2025_09,
  TLS13_PQ: apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09,
};

export interface ApiDomainsProps {
  readonly spec: ResolvedSpec;
  /**
   * Certificate of the public (origin) domain, in this region.
   * @default - a new ACM certificate validated by DNS in `spec.domain.hostedZone`
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Certificate of the partner (mTLS) domain, in this region.
   * @default - a new ACM certificate validated by DNS in `spec.domain.hostedZone`
   */
  readonly mtlsCertificate?: acm.ICertificate;
  /**
   * Endpoint access mode of the TLS 1.3 domain. BASIC only for a migration; STRICT checks that SNI and Host agree.
   * @default apigw.EndpointAccessMode.STRICT
   */
  readonly endpointAccessMode?: apigw.EndpointAccessMode;
  /**
   * A region-specific name `<region>.<public name>` for this region's Route 53 health check: the public name is
   * latency-routed, so a checker could not tell which region answered. Same TLS policy; only `/health` passes the
   * regional WAF without the origin-verify header.
   * @default false
   */
  readonly regionalHealthDomain?: boolean;
}

/**
 * The custom domains of one region, shared by every API version: a public domain with a TLS 1.3 enhanced policy
 * (STRICT endpoint access) and, when the spec asks for it, a partner domain with TLS 1.2 and mutual TLS (API
 * Gateway refuses mTLS on enhanced policies). API versions are mapped as base paths (`/v1`, `/v2`).
 */
export class ApiDomains extends Construct {
  public readonly publicDomain: apigw.DomainName;
  public readonly mtlsDomain?: apigw.DomainName;
  /** The region-specific health-check domain (`regionalHealthDomain`). */
  public readonly healthDomain?: apigw.DomainName;
  /** The hosted zone of `spec.domain`. */
  public readonly zone: route53.IHostedZone;

  constructor(scope: Construct, id: string, props: ApiDomainsProps) {
    super(scope, id);
    const spec = props.spec;
    const domain = spec.domain;
    if (!domain) {
      throw new PlatformValidationError('spec.domain is required by ApiDomains (received: undefined); set spec.domain { domainName, hostedZone } or do not create ApiDomains', this);
    }
    const mode = props.endpointAccessMode ?? apigw.EndpointAccessMode.STRICT;
    if (mode !== apigw.EndpointAccessMode.STRICT) {
      Annotations.of(this).addWarningV2('@secure-api-platform/gateway:basicEndpointAccess', 'endpointAccessMode BASIC does not check that SNI and Host agree; use STRICT outside a migration');
    }
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZone.hostedZoneId, zoneName: domain.hostedZone.zoneName });
    this.zone = zone;
    const publicName = PlatformNames.originDomain(spec) ?? domain.domainName;
    this.publicDomain = new apigw.DomainName(this, 'Public', {
      domainName: publicName,
      certificate: props.certificate ?? new acm.Certificate(this, 'PublicCertificate', { domainName: publicName, validation: acm.CertificateValidation.fromDns(zone) }),
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: TLS_POLICIES[spec.tlsPolicy],
      endpointAccessMode: mode,
    });
    if (props.regionalHealthDomain) {
      const region = Stack.of(this).region;
      if (Token.isUnresolved(region)) {
        throw new PlatformValidationError(`regionalHealthDomain needs a stack with an explicit region (received: ${region}); set env.region on the stack`, this);
      }
      const healthName = `${region}.${publicName}`;
      this.healthDomain = new apigw.DomainName(this, 'Health', {
        domainName: healthName,
        certificate: new acm.Certificate(this, 'HealthCertificate', { domainName: healthName, validation: acm.CertificateValidation.fromDns(zone) }),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: TLS_POLICIES[spec.tlsPolicy],
        endpointAccessMode: mode,
      });
    }
    if (domain.mtls) {
      const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(domain.mtls.truststoreUri);
      if (!m) {
        throw new PlatformValidationError(`spec.domain.mtls.truststoreUri must be s3://bucket/key.pem (received: ${JSON.stringify(domain.mtls.truststoreUri)})`, this);
      }
      this.mtlsDomain = new apigw.DomainName(this, 'Mtls', {
        domainName: domain.mtls.domainName,
        certificate: props.mtlsCertificate ?? new acm.Certificate(this, 'MtlsCertificate', { domainName: domain.mtls.domainName, validation: acm.CertificateValidation.fromDns(zone) }),
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
        mtls: { bucket: s3.Bucket.fromBucketName(this, 'Truststore', m[1]), key: m[2], version: domain.mtls.truststoreVersion },
      });
    }
  }
}
