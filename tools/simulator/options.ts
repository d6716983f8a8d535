import { parseArgs } from 'node:util';

export interface SimulationOptions {
  /** `crash`: crashes and network blips; `quality`: repeated own outages and IM presence noise, counting false notices. */
  mode: 'crash' | 'quality';
  anchors: number;
  crash: number;
  blip: number;
  timeoutMs: number;
  suspectMs: number;
  intervalMs: number;
  /** How long a blipped anchor's network is down; between the suspect point and the timeout. */
  blipMs: number;
  /** quality mode: how many outages (service and Redis by turns), each with presence noise around it. */
  repeat: number;
  /** quality mode: each outage lasts between these (ms), drawn by a fixed shuffle. */
  outageMinMs: number;
  outageMaxMs: number;
}

export const USAGE = `Usage: npm run simulate -- [--anchors 200] [--crash 20] [--blip 20]
  [--timeout-ms 6000] [--suspect-ms 3000] [--interval-ms 1000] [--blip-ms <between suspect and timeout>]
       npm run simulate -- --mode quality [--anchors 200] [--repeat 50] [--outage-min-ms 1000] [--outage-max-ms 4000]

Starts redis-server, the built service (dist/main.js) and a Tencent IM stand-in playing the viewers,
runs the anchors through the anchor client, crashes some and cuts the network of others for a while,
then checks what the viewers were told. Exit code 0 when every check passes, 1 otherwise.

--mode quality checks the detector itself: every anchor stays healthy while the service and Redis are
killed and restarted by turns (--repeat times, each outage --outage-min-ms..--outage-max-ms long) and IM
presence callbacks arrive stale, duplicated, out of order and in kick pairs; any LIVE_INTERRUPTED or
LIVE_ENDED is false. A crashed anchor that IM reports offline must still end 'disconnect'.`;

/** Reads the command line; throws with a message naming the option when a value is unusable. */
export function parseOptions(argv: string[]): SimulationOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      anchors: { type: 'string', default: '200' },
      crash: { type: 'string', default: '20' },
      blip: { type: 'string', default: '20' },
      'timeout-ms': { type: 'string', default: '6000' },
      'suspect-ms': { type: 'string', default: '3000' },
      'interval-ms': { type: 'string', default: '1000' },
      'blip-ms': { type: 'string' },
      mode: { type: 'string', default: 'crash' },
      repeat: { type: 'string', default: '50' },
      'outage-min-ms': { type: 'string', default: '1000' },
      'outage-max-ms': { type: 'string', default: '4000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new UsageRequested();
  const int = (name: keyof typeof values, min: number) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer of at least ${min} (got "${values[name]}")`);
    return value;
  };
  if (values.mode !== 'crash' && values.mode !== 'quality') throw new Error(`--mode must be crash or quality (got "${values.mode}")`);
  const options: SimulationOptions = {
    mode: values.mode,
    repeat: int('repeat', 1),
    outageMinMs: int('outage-min-ms', 100),
    outageMaxMs: int('outage-max-ms', 100),
    anchors: int('anchors', 1),
    crash: int('crash', 0),
    blip: int('blip', 0),
    timeoutMs: int('timeout-ms', 1000),
    suspectMs: int('suspect-ms', 500),
    intervalMs: int('interval-ms', 100),
    blipMs: 0,
  };
  // A blip must outlast the suspect point (viewers see "reconnecting") and, with the client's
  // retry delay after the network returns (up to one beat interval), stay short of the timeout.
  options.blipMs =
    values['blip-ms'] === undefined ? Math.round((options.suspectMs + options.timeoutMs - options.intervalMs) / 2) : int('blip-ms', 1);
  if (options.outageMaxMs < options.outageMinMs) throw new Error('--outage-max-ms must not be less than --outage-min-ms');
  // Crashes and blips belong to the crash mode; quality mode needs a control anchor besides the healthy ones.
  if (options.mode === 'quality') options.crash = options.blip = 0;
  if (options.mode === 'quality' && options.anchors < 2) throw new Error('--anchors must be at least 2 with --mode quality');
  if (options.crash + options.blip > options.anchors)
    throw new Error(`--crash plus --blip (${options.crash + options.blip}) must not exceed --anchors (${options.anchors})`);
  if (options.suspectMs >= options.timeoutMs) throw new Error('--suspect-ms must be less than --timeout-ms');
  if (options.intervalMs >= options.suspectMs) throw new Error('--interval-ms must be less than --suspect-ms');
  if (options.blipMs <= options.suspectMs || options.blipMs + options.intervalMs >= options.timeoutMs)
    throw new Error(`--blip-ms must exceed --suspect-ms and stay below --timeout-ms minus --interval-ms (got ${options.blipMs})`);
  return options;
}

export class UsageRequested extends Error {}
