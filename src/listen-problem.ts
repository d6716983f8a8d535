import { createServer } from 'node:net';

/**
 * Why the service cannot listen on HOST:PORT, as one line naming the variable to change, or null when the
 * error is not one of these (EADDRINUSE, EACCES, EADDRNOTAVAIL; see listen(2)).
 */
export function listenProblem(err: unknown, port: number, host: string): string | null {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `Cannot listen: PORT ${port} is already in use on HOST ${host} (another process listens there); stop it or set PORT to a free port`;
    case 'EACCES':
      return `Cannot listen: PORT ${port} on HOST ${host} needs privileges this process lacks; set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen: HOST ${host} is not an address of this machine; set HOST to one of its addresses (0.0.0.0 for all)`;
    default:
      return null;
  }
}

/**
 * Tries HOST:PORT with a throw-away listener before the service starts, so that a busy port is reported at once
 * (not after connecting to Redis). Resolves to the one-line problem, or null when the port is free.
 */
export function portProblem(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err) => resolve(listenProblem(err, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
