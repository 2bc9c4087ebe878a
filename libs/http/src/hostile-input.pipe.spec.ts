import { BadRequestException } from '@nestjs/common';
import { findHostileInput, HostileInputPipe, MAX_INPUT_DEPTH } from './hostile-input.pipe';
import { isJsonUtf8 } from './http-security';

describe('findHostileInput', () => {
  it.each([
    [{ body: { $gt: '' } }, 'body'],
    [{ $where: 'sleep(1000)' }, '$where'],
    [{ recipientIds: [{ $ne: null }] }, 'recipientIds.0'],
    [JSON.parse('{"__proto__": {"admin": true}}'), '__proto__'],
    [{ constructor: { prototype: {} } }, 'constructor'],
    [{ a: { prototype: 1 } }, 'a'],
    [{ 'a.b': 1 }, 'a.b'],
    [{ body: 'x\ud800' }, 'body'],
    [{ body: '\udc00x' }, 'body'],
    [{ body: 'a\u0000b' }, 'body'],
  ])('finds %j (field %s)', (input, field) => {
    expect(findHostileInput(input)?.field).toBe(field);
  });

  it('accepts ordinary input, emoji (surrogate pairs), RTL and zero-width characters', () => {
    expect(
      findHostileInput({
        recipientIds: ['bob'],
        body: 'hi 👋🏽 \u202Eabc \u200B \u05E9\u05DC\u05D5\u05DD',
        n: 1,
        b: true,
        z: null,
      }),
    ).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findHostileInput(deep)?.errors[0]).toMatch(`${MAX_INPUT_DEPTH}`);
  });

  it('the pipe answers 400 with the field, for bodies and queries only', () => {
    const pipe = new HostileInputPipe();
    expect(() => pipe.transform({ read: { $ne: 1 } }, { type: 'query' })).toThrow(BadRequestException);
    expect(pipe.transform({ $x: 1 }, { type: 'param' })).toEqual({ $x: 1 });
  });
});

describe('isJsonUtf8', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON; Charset="UTF-8"', true],
    ['application/json; charset=latin1', false],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('%s → %s', (type, ok) => {
    expect(isJsonUtf8(type)).toBe(ok);
  });
});
