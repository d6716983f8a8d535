import { createServer } from 'node:http';

/**
 * A webhook receiver in a process of its own, so the time each notice arrives is taken on an event
 * loop the benchmark's load generator does not block. Reports each event's JSON and arrival time to
 * the parent over IPC; answers 200 after RECEIVER_DELAY_MS.
 */
const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const at = Date.now();
    if (req.url === '/healthz') return res.end('ok');
    process.send!({ at, event: JSON.parse(body) });
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), delayMs);
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
