import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { RegionParameters } from './region-parameters';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { healthCheckParameter, ROUTE53_METRICS_REGION } from '../../../lib/spec/contracts/names';
import { PlatformNames } from '../common/names';

export interface RegionalFailoverProps {
  readonly spec: ResolvedSpec;
  /** The zone of `spec.domain`. */
  readonly zone: route53.IHostedZone;
  /** This region's latency-routed domain (`origin.<domain>` behind the CDN, else the public domain). */
  readonly domain: apigw.DomainName;
  /** This region's health-check domain (`<region>.<domain>`). */
  readonly healthDomain: apigw.DomainName;
  /**
   * This region's partner (mTLS) domain: it gets a latency-routed record of its own, withdrawn with the region.
   * @default - no partner domain
   */
  readonly mtlsDomain?: apigw.DomainName;
  /** Path of the health route including the version base path, e.g. `/v1/health`. */
  readonly healthPath: string;
  /**
   * Seconds between checks from each checker location.
   * @default 30
   */
  readonly requestIntervalSeconds?: 10 | 30;
  /**
   * Consecutive failures before the region is taken out of the latency set.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/**
 * This region's part of global routing, created by the region's own stack (Route 53 is global, so each region
 * adds its own records and no stack needs another region's tokens): a health check on the region's readiness route
 * over HTTPS (it checks the region's data store), a latency-routed alias record for the shared domain that Route 53
 * withdraws while the check fails (failover to the next-nearest healthy region), and the alias record of the health
 * domain. Route 53 publishes health-check metrics in us-east-1 only: the check id is written to the SSM parameter
 * `/<platform>/health-checks/<region>` there, where `HealthCheckAlarms` (the `<prefix>-HealthAlarms` stack) reads it.
 */
export class RegionalFailover extends Construct {
  public readonly healthCheck: route53.CfnHealthCheck;
  public readonly latencyRecord: route53.CfnRecordSet;
  /** The partner domain's latency record in this region (`mtlsDomain`). */
  public readonly mtlsRecord?: route53.CfnRecordSet;

  constructor(scope: Construct, id: string, props: RegionalFailoverProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const threshold = props.failureThreshold ?? 3;
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 10) {
      throw new PlatformValidationError(`failureThreshold must be a whole number from 1 to 10 (received: ${threshold}); Route 53's range`, this);
    }
    if (!props.healthPath.startsWith('/')) {
      throw new PlatformValidationError(`healthPath must start with "/" (received: ${JSON.stringify(props.healthPath)}), e.g. "/v1/health"`, this);
    }
    // Literal names (computed from the spec), so the records read plainly in the template and the report.
    const domainName = PlatformNames.originDomain(props.spec) ?? props.domain.domainName;
    const healthName = `${region}.${domainName}`;
    new route53.CfnRecordSet(this, 'HealthRecord', {
      hostedZoneId: props.zone.hostedZoneId,
      name: healthName,
      type: 'A',
      aliasTarget: {
        dnsName: props.healthDomain.domainNameAliasDomainName,
        hostedZoneId: props.healthDomain.domainNameAliasHostedZoneId,
        evaluateTargetHealth: false,
      },
    });
    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: healthName,
        resourcePath: props.healthPath,
        port: 443,
        enableSni: true,
        requestInterval: props.requestIntervalSeconds ?? 30,
        failureThreshold: threshold,
        measureLatency: true,
      },
      healthCheckTags: [{ key: 'Name', value: `${props.spec.name}-${region}` }],
    });
    this.latencyRecord = new route53.CfnRecordSet(this, 'LatencyRecord', {
      hostedZoneId: props.zone.hostedZoneId,
      name: domainName,
      type: 'A',
      setIdentifier: region,
      region,
      healthCheckId: this.healthCheck.attrHealthCheckId,
      aliasTarget: {
        dnsName: props.domain.domainNameAliasDomainName, hostedZoneId: props.domain.domainNameAliasHostedZoneId, evaluateTargetHealth: true,
      },
    });
    const mtls = props.spec.domain?.mtls;
    if (props.mtlsDomain && mtls) {
      this.mtlsRecord = new route53.CfnRecordSet(this, 'MtlsLatencyRecord', {
        hostedZoneId: props.zone.hostedZoneId,
        name: mtls.domainName,
        type: 'A',
        setIdentifier: region,
        region,
        healthCheckId: this.healthCheck.attrHealthCheckId,
        aliasTarget: {
          dnsName: props.mtlsDomain.domainNameAliasDomainName, hostedZoneId: props.mtlsDomain.domainNameAliasHostedZoneId, evaluateTargetHealth: true,
        },
      });
    }
    // The check's id, by name in us-east-1, for the alarms there (Route 53 publishes its metrics in us-east-1 only).
    new RegionParameters(this, 'HealthCheckId', {
      regions: [ROUTE53_METRICS_REGION],
      description: `${props.spec.name}: Route 53 health check of ${region}, for the health alarms in ${ROUTE53_METRICS_REGION}`,
      parameters: { [healthCheckParameter(props.spec.name, region)]: this.healthCheck.attrHealthCheckId },
    });
  }
}
