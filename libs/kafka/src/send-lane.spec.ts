import { inSendLane } from './send-lane';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inSendLane', () => {
  it('never runs two sends of one producer at once, and keeps their order', async () => {
    const producer = {};
    let running = 0;
    let maxRunning = 0;
    const order: number[] = [];
    const send = (i: number, ms: number) =>
      inSendLane(producer, async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick(ms);
        order.push(i);
        running--;
        return i;
      });
    const results = await Promise.all([send(1, 20), send(2, 1), send(3, 10)]);
    expect(results).toEqual([1, 2, 3]);
    expect(order).toEqual([1, 2, 3]);
    expect(maxRunning).toBe(1);
  });

  it('goes on after a failed send and hands the rejection to its caller only', async () => {
    const producer = {};
    const failed = inSendLane(producer, async () => {
      throw new Error('broker down');
    });
    const next = inSendLane(producer, async () => 'sent');
    await expect(failed).rejects.toThrow('broker down');
    await expect(next).resolves.toBe('sent');
  });

  it('lets different producers send at the same time', async () => {
    let running = 0;
    let maxRunning = 0;
    const send = (producer: object) =>
      inSendLane(producer, async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick(10);
        running--;
      });
    await Promise.all([send({}), send({})]);
    expect(maxRunning).toBe(2);
  });
});
