import { LiveEventBus } from '../events/live-event-bus';
import { OutboxSignal } from './outbox-signal';

describe('OutboxSignal', () => {
  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return done;
  };

  it('wakes a waiting reader at once, and one that was reading when the events were written', async () => {
    const bus = new LiveEventBus();
    const signal = new OutboxSignal(bus);
    const idle = signal.wait(60_000);
    bus.publish('transitions', { cause: 'end', transitions: [{ type: 'ended', reason: 'normal', count: 1 }] });
    expect(await settled(idle)).toBe(true);

    // A reader took the count, read (passing the shard the events then went to) and found nothing.
    const before = signal.count;
    signal.notify();
    expect(await settled(signal.wait(60_000, before))).toBe(true);

    // Nothing written since: it waits.
    const quiet = signal.wait(60_000, signal.count);
    expect(await settled(quiet)).toBe(false);
    signal.notify();
    expect(await settled(quiet)).toBe(true);
  });
});
