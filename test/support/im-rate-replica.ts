/**
 * One "replica" of the IM send queue in a process of its own (run with ts-node by im-rate-limit.e2e-spec.ts):
 * waits until START_AT, then sends COUNT calls through the shared limiter as fast as it grants them and prints
 * when each was handed over, as one JSON line. With STALL=1 its event loop blocks for 60–100 ms while every other
 * answer of the limiter is on its way, as a GC pause or a busy replica does, while the other replica keeps sending.
 */
import Redis from 'ioredis';
import { ImRateLimiter } from '../../src/notify/tencent-im/rate-limiter';
import { SendPriority, SendQueue } from '../../src/notify/tencent-im/send-queue';
import { defineLuaCommands } from '../../src/store/lua-scripts';
import { rateStore } from './im-rate-store';

async function main(): Promise<void> {
  const env = process.env;
  const redis = new Redis(env.REDIS_URL!);
  defineLuaCommands(redis);
  const limiter = new ImRateLimiter(rateStore(redis, env.KEY!), Number(env.RATE));
  if (env.STALL === '1') {
    // Every other time it asks the limiter, the event loop blocks while the answer is on its way.
    const take = limiter.take.bind(limiter);
    let asked = 0;
    limiter.take = (wanted, wantedEnded) => {
      const answer = take(wanted, wantedEnded);
      if (asked++ % 2 === 0) setImmediate(() => block(60 + Math.random() * 40));
      return answer;
    };
  }
  const queue = new SendQueue(limiter);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(env.START_AT) - Date.now())));
  const handedOver: number[] = [];
  await Promise.all(
    Array.from({ length: Number(env.COUNT) }, () => queue.acquire(SendPriority.Other).then(() => handedOver.push(Date.now()))),
  );
  process.stdout.write(JSON.stringify({ handedOver, staleGrants: queue.staleGrants }) + '\n');
  await redis.quit();
}

function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* the event loop is stuck */
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
