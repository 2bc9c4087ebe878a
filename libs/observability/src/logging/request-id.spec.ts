import { isSaneRequestId, requestIdOf } from './request-id';

describe('request ids', () => {
  it.each(['abc', 'a'.repeat(128), '6f1c2e8b-3e4a-4b00-9a12-345678901234', 'trace:1/2+3=4@x_y.z-w'])(
    'reuses a sane incoming id %#',
    (id) => {
      expect(isSaneRequestId(id)).toBe(true);
      expect(requestIdOf({ headers: { 'x-request-id': id } })).toBe(id);
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['space', 'a b'],
    ['newline (log forging)', 'a\nlevel=50'],
    ['quote', 'a"b'],
    ['repeated header', ['a', 'b']],
  ])('replaces an incoming id that is %s with a UUID', (_, id) => {
    const out = requestIdOf({ headers: { 'x-request-id': id as string } });
    expect(out).not.toBe(id);
    expect(out).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('generates a fresh UUID when there is none', () => {
    const a = requestIdOf({ headers: {} });
    expect(a).not.toBe(requestIdOf({ headers: {} }));
  });
});
