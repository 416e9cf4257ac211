import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PlatformValidationError } from '../../../lib/errors';
import { ResolvedSpec } from '../../../lib/spec';
import { metricWord } from '../../../lib/spec/contracts/metrics';
import { healthCheckParameter, ROUTE53_METRICS_REGION } from '../../../lib/spec/contracts/names';

export interface HealthCheckAlarmsProps {
  readonly spec: ResolvedSpec;
  /** Regions whose health check (RegionalFailover) is alarmed; each publishes its check id in us-east-1 SSM. */
  readonly regions: string[];
}

/**
 * Alarms on the Route 53 health checks of the regions (`AWS/Route53 HealthCheckStatus` by `HealthCheckId`, below 1 for
 * two minutes: the region is out of the latency set), in us-east-1, where Route 53 publishes those metrics. Check ids
 * are read from the SSM parameters RegionalFailover writes there (`/<platform>/health-checks/<region>`); the alarms
 * notify a KMS-encrypted, TLS-only topic `<platform>-health-alarms` with the spec's alarm emails.
 */
export class HealthCheckAlarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: HealthCheckAlarmsProps) {
    super(scope, id);
    const spec = props.spec;
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== ROUTE53_METRICS_REGION) {
      throw new PlatformValidationError(`HealthCheckAlarms belongs in ${ROUTE53_METRICS_REGION}, where Route 53 publishes health-check metrics (received: a stack in ${region})`, this);
    }
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: `${spec.name}: the health-check alarm topic`,
    });
    // CloudWatch publishes to the encrypted topic with this key; nobody else is granted its use here.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${spec.name}-health-alarms`,
      displayName: `${spec.name} regional health`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of spec.alarmEmails) this.topic.addSubscription(new subs.EmailSubscription(email));
    const action = new actions.SnsAction(this.topic);
    for (const r of props.regions) {
      const checkId = ssm.StringParameter.valueForStringParameter(this, healthCheckParameter(spec.name, r));
      const alarm = new cloudwatch.Alarm(this, `${metricWord(r)}Unhealthy`, {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensionsMap: { HealthCheckId: checkId }, statistic: 'Minimum', period: Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `The Route 53 health check of ${r} failed for 2 minutes: the region is out of the latency set (traffic fails over)`,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms[r] = alarm;
    }
  }
}
