import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '@herald/config';
import { hs256, TEST_SECRET } from '../../../test/support/jwt';
import { TokenService } from './token.service';

/** The verified-token cache never accepts more than verification itself would. */
describe('TokenService.verify (verified-token cache)', () => {
  const service = (): TokenService =>
    new TokenService(new JwtService(), loadConfig({ JWT_SECRET: TEST_SECRET, JWT_CLOCK_TOLERANCE_SECONDS: '0' }));

  it('answers a token verified before with the same user id', async () => {
    const tokens = service();
    const token = await hs256('alice');
    expect(await tokens.verify(token)).toBe('alice');
    expect(await tokens.verify(token)).toBe('alice');
  });

  it('refuses a cached token once its exp has passed', async () => {
    const tokens = service();
    const token = await hs256('bob', { expiresIn: 1 });
    expect(await tokens.verify(token)).toBe('bob');
    await new Promise((r) => setTimeout(r, 2100)); // exp has whole-second resolution
    await expect(tokens.verify(token)).rejects.toThrow();
  });

  it('never caches a refused token', async () => {
    const tokens = service();
    const bad = await hs256('carol', { secret: 'some-other-secret-of-length' });
    await expect(tokens.verify(bad)).rejects.toThrow();
    await expect(tokens.verify(bad)).rejects.toThrow();
  });
});
