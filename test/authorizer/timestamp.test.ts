// The log lines' timestamp (lib/authorizer/timestamp.ts) is toISOString's text, without its first-call cost.
import { isoTimestamp } from '../../lib/authorizer/timestamp';

test('is toISOString for every millisecond it is given, across leap days, year ends and the whole 0-9999 range', () => {
  const cases = [0, 1, 999, 951782400000 /* 2000-02-29 */, 4107542399999 /* 2100-02-28T23:59:59.999 */, Date.UTC(2024, 11, 31, 23, 59, 59, 999),
    -62167219200000 /* 0000-01-01 */, 253402300799999 /* 9999-12-31T23:59:59.999 */,
    Date.now()];
  let seed = 17;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 20_000; i++) cases.push(Math.floor(-62167219200000 + random() * (253402300799999 + 62167219200000)));
  for (const ms of cases) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
});

test('outside years 0-9999 it is still toISOString (six-digit years), and an invalid time throws as toISOString does', () => {
  for (const ms of [253402300800000, -62167219200001, 8.64e15, -8.64e15]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  expect(() => isoTimestamp(NaN)).toThrow(RangeError);
});
