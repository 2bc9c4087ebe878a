/**
 * Prints a development JWT for a user id: `npm run -s token -- <userId>`.
 * Signed HS256 with JWT_SECRET (or the dev default); refuses to run with NODE_ENV=production.
 */
import { JwtService } from '@nestjs/jwt';
import { AppConfig, validateEnvironment } from '@herald/config';

async function main(): Promise<void> {
  const userId = process.argv[2];
  if (!userId || !/^[A-Za-z0-9_.@-]{1,128}$/.test(userId)) {
    console.error('usage: npm run -s token -- <userId>   (letters, digits, _ . @ -)');
    process.exit(2);
  }
  const config = new AppConfig(validateEnvironment(process.env));
  if (config.isProduction) {
    console.error('token: refusing to issue tokens with NODE_ENV=production');
    process.exit(1);
  }
  const jwt = new JwtService({ secret: config.jwtSecret });
  console.log(await jwt.signAsync({ sub: userId }, { algorithm: 'HS256', expiresIn: config.env.JWT_TTL_SECONDS }));
}

void main();
