import type { FastifyRequest } from 'fastify';

/** The route Tencent IM posts its third-party callbacks to. */
export const IM_CALLBACK_ROUTE = '/v1/callbacks/tencent-im';

/**
 * Whether the request is a Tencent IM callback, whose body the body policy (common/body-policy.ts, installed by
 * app.factory) hands over as raw text whatever the Content-Type: IM's documented sample request carries only Host
 * and Content-Length, and the bytes must reach the business's own callback URL unchanged (IM's numbers can exceed
 * JavaScript's safe integers). Every other route takes JSON only (415 otherwise).
 */
export function isImCallbackRoute(request: FastifyRequest): boolean {
  // By the request's path, query string ignored: every JSON body (heartbeats included) asks, and `routeOptions`
  // would build an object per call.
  const url = request.url;
  if (!url.startsWith(IM_CALLBACK_ROUTE)) return false;
  const next = url.charAt(IM_CALLBACK_ROUTE.length);
  return next === '' || next === '?' || next === '/';
}
