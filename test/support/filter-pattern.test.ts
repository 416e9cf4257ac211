// The filter-pattern engine against the examples of AWS's "Filter and Pattern Syntax" (Matching Terms in JSON Log Events).
import { matchesFilterPattern } from './filter-pattern';

const EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [{ name: 'a', id: 1 }, { name: 'b', id: 2 }],
  SomeObject: null,
  ThisFlag: true,
});

test.each([
  '{ $.eventType = "UpdateTrail" }',
  '{ $.sourceIPAddress != 123.123.* }',
  '{ $.arrayKey[0] = "value" }',
  '{ $.objectList[1].id = 2 }',
  '{ $.SomeObject IS NULL }',
  '{ $.SomeOtherObject NOT EXISTS }',
  '{ $.ThisFlag IS TRUE }',
])('documented match: %s', (pattern) => {
  expect(matchesFilterPattern(pattern, EVENT)).toBe(true);
});

test.each([
  '{ $.eventType = "StopLogging" }',
  '{ $.sourceIPAddress != 111.111.* }',
  '{ $.arrayKey[5] = "value" }',
  '{ $.objectList[1].id = 1 }',
  '{ $.ThisFlag IS NULL }',
  '{ $.eventType NOT EXISTS }',
  '{ $.ThisFlag IS FALSE }',
])('their negations do not match: %s', (pattern) => {
  expect(matchesFilterPattern(pattern, EVENT)).toBe(false);
});

const COMPOUND = JSON.stringify({
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [{ id: 2, email: 'John.Doe@example.com' }, { id: 3, email: 'Jane.Doe@example.com' }],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
});

test.each([
  ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
  ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
  ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', true],
  ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', false],
])('documented compound condition %s matches: %s', (pattern, expected) => {
  expect(matchesFilterPattern(pattern, COMPOUND)).toBe(expected);
});

test('documented OR: {$.foo = bar} / {$.foo = baz} / both', () => {
  const bar = '{"foo": "bar"}';
  const baz = '{"foo": "baz"}';
  expect([matchesFilterPattern('{$.foo = bar}', bar), matchesFilterPattern('{$.foo = bar}', baz)]).toEqual([true, false]);
  expect([matchesFilterPattern('{$.foo = baz }', bar), matchesFilterPattern('{$.foo = baz }', baz)]).toEqual([false, true]);
  expect([matchesFilterPattern('{$.foo = bar || $.foo = baz }', bar), matchesFilterPattern('{$.foo = bar || $.foo = baz }', baz)]).toEqual([true, true]);
});

test('documented: a selector that reaches an array matches neither = nor !=', () => {
  expect(matchesFilterPattern('{$.users = 1}', '{"users": [1, 2, 3]}')).toBe(false);
  expect(matchesFilterPattern('{$.users != 1}', '{"users": [1, 2, 3]}')).toBe(false);
});

test('documented wildcards: *Event and Event* match, Ev*ent only itself', () => {
  expect(matchesFilterPattern('{ $.e = *Event }', '{"e":"PutEvent"}')).toBe(true);
  expect(matchesFilterPattern('{ $.e = Event* }', '{"e":"EventName"}')).toBe(true);
  expect(matchesFilterPattern('{ $.e = Ev*ent }', '{"e":"Event"}')).toBe(false);
  expect(matchesFilterPattern('{ $.e = Ev*ent }', '{"e":"Ev*ent"}')).toBe(true);
  expect(matchesFilterPattern('{ $.latency = * }', '{"latency": 12}')).toBe(true);
  expect(matchesFilterPattern('{ $.latency = * }', '{"other": 12}')).toBe(false);
});

test.each([
  ['{ $.latency >= 500 }', '{"latency": 500}', true],
  ['{ $.latency >= 500 }', '{"latency": 499.9}', false],
  ['{ $.numbers[0] < 10e3 }', '{"numbers": [9999]}', true],
  ['{ $.numbers[0] < 10e-3 }', '{"numbers": [0.01]}', false],
  ['{ $.processes[4].averageRuntime <= 55.5 }', '{"processes": [{},{},{},{},{"averageRuntime": 55.5}]}', true],
  ['{ $.errorCode = 400 }', '{"errorCode": 400}', true],
  ['{ $.errorCode != 500 }', '{"errorCode": 400}', true],
  ['{ $.latency > +1000 }', '{"latency": 1001}', true],
])('documented numeric comparison %s on %s: %s', (pattern, event, expected) => {
  expect(matchesFilterPattern(pattern, event)).toBe(expected);
});

test('a numeric comparison applies to number values, not to numeric-looking strings', () => {
  expect(matchesFilterPattern('{ $.status = 401 }', '{"status": 401}')).toBe(true);
  expect(matchesFilterPattern('{ $.status = 401 }', '{"status": "401"}')).toBe(false);
  expect(matchesFilterPattern('{ $.status = "401" }', '{"status": "401"}')).toBe(true);
});

test('malformed patterns are refused, not silently false', () => {
  expect(() => matchesFilterPattern('{ $.a = }', '{}')).toThrow(/expected a value/);
  expect(() => matchesFilterPattern('$.a = 1', '{}')).toThrow(/expected "\{"/);
  expect(() => matchesFilterPattern('{ $.a > "x" }', '{}')).toThrow(/needs a number/);
});
