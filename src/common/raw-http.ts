import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosInstance } from 'axios';

/** How a raw HTTP client behaves; times in ms. */
export interface RawHttpOptions {
  /** Whole request, connect to last byte of the answer. */
  timeoutMs: number;
  /** Reuse connections (a destination called often); off for one-off calls. Default true. */
  keepAlive?: boolean;
  /** Hand the answer's body over as text, unparsed; otherwise axios parses JSON. Default false. */
  textResponse?: boolean;
}

/**
 * An HTTP client for calls whose bytes matter (signed webhooks, forwarded IM callbacks): the request body is sent
 * exactly as given (a string), redirects are never followed (a 3xx is the destination's answer, reported as such),
 * and every status resolves (the caller decides what is a failure). Network errors and time-outs reject (AxiosError).
 */
export function rawHttpClient({ timeoutMs, keepAlive = true, textResponse = false }: RawHttpOptions): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    httpAgent: new HttpAgent({ keepAlive }),
    httpsAgent: new HttpsAgent({ keepAlive }),
    maxRedirects: 0,
    validateStatus: () => true,
    transformRequest: [(data: string) => data],
    ...(textResponse ? { responseType: 'text' as const, transformResponse: [(data: string) => data] } : {}),
  });
}
