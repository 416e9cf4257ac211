// The trace CDK records with each acknowledgment (the evidence's author and line) is the formatter's text, rendered
// once per call path and reused: the same text as a fresh render, and the formatter is given back afterwards.
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge } from '../../lib/compliance/aws/acknowledge';
import { testStack } from '../support/nag';

const REASON = 'The method is authorized by the platform Lambda authorizer, which validates every token';
type Formatter = NonNullable<ErrorConstructor['prepareStackTrace']>;

const traceOf = (c: Construct): string[] | undefined => c.node.metadata.find((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)?.trace;

describe('acknowledgment traces', () => {
  const original = Error.prepareStackTrace as Formatter | undefined;
  afterEach(() => {
    Error.prepareStackTrace = original!;
  });

  /** A formatter over the original that counts its renders in `count.renders`. */
  const counting = (count: { renders: number }): Formatter => (error, sites) => {
    count.renders++;
    return original ? original(error, sites) : `${String(error)}\n${sites.map((s) => `    at ${s}`).join('\n')}`;
  };

  /** Acknowledges on three constructs from one call path; `fresh` installs a new formatter before each (nothing to reuse). */
  function acknowledgeThree(fresh: boolean): { traces: (string[] | undefined)[]; renders: number } {
    const { stack } = testStack('Traces');
    const count = { renders: 0 };
    let formatter = counting(count);
    Error.prepareStackTrace = formatter;
    const traces = [];
    for (let i = 0; i < 3; i++) {
      if (fresh) Error.prepareStackTrace = formatter = counting(count);
      const c = new Construct(stack, `Method${i}`);
      acknowledge(c, 'AwsSolutions-COG4', REASON);
      expect(Error.prepareStackTrace).toBe(formatter);
      traces.push(traceOf(c));
    }
    return { traces, renders: count.renders };
  }

  test('one render per call path, with the text of a fresh render', () => {
    const [fresh, reused] = [true, false].map((f) => acknowledgeThree(f));
    expect(fresh.renders).toBe(3);
    expect(reused.renders).toBe(1);
    expect(reused.traces).toEqual(fresh.traces);
    expect(reused.traces[0]).toEqual(expect.arrayContaining([expect.stringMatching(/ack-traces\.test\.ts:\d+:\d+\)$/)]));
  });

  test('another call path is rendered again', () => {
    const { stack } = testStack('Paths');
    const count = { renders: 0 };
    Error.prepareStackTrace = counting(count);
    acknowledge(new Construct(stack, 'A'), 'AwsSolutions-COG4', REASON);
    acknowledge(new Construct(stack, 'B'), 'AwsSolutions-COG4', REASON);
    expect(count.renders).toBe(2);
    const [a, b] = ['A', 'B'].map((id) => traceOf(stack.node.findChild(id) as Construct)!);
    expect(a).not.toEqual(b);
  });
});
