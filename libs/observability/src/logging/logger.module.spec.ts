import { redactUrl } from './logger.module';

describe('redactUrl', () => {
  it('hides credentials passed in the query string', () => {
    expect(redactUrl('/api/v1/notifications/stream?access_token=eyJ.a.b')).toBe('/api/v1/notifications/stream?access_token=[redacted]');
    expect(redactUrl('/x?a=1&token=abc&b=2')).toBe('/x?a=1&token=[redacted]&b=2');
    expect(redactUrl('/api/v1/notifications?limit=5')).toBe('/api/v1/notifications?limit=5');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
