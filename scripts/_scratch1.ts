import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createMessagesApp } from '../apps/messages/src/bootstrap';
(async () => {
  const t = setInterval(() => process.stderr.write('.'), 1000);
  console.error('creating');
  const app = await createMessagesApp({ LOG_LEVEL: 'debug' });
  console.error('created');
  await app.listen(3100, '127.0.0.1');
  console.error('listening');
  clearInterval(t);
  await app.close();
})().catch((e) => { console.error('ERR', e); process.exit(1); });
