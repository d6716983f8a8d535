import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A callback's parsed body: untrusted JSON of many commands' shapes, read field by field with runtime checks
 * (typeof, Array.isArray), so a declared shape would promise what nobody checked.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CallbackBody = Record<string, any>;

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

/**
 * Largest callback body accepted. IM callbacks can outgrow the service's 16 KiB request limit (a message
 * callback carries up to 12 KB of MsgBody plus its envelope; a group created with hundreds of initial members
 * lists them all), and with forwarding on, every callback must reach the business.
 */
export const IM_CALLBACK_BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Gives the callback route its own body limit. Fastify takes a route's limit only when the route is added, so
 * this hooks route registration, which Nest does at app.init(), after the providers are built.
 */
@Injectable()
export class CallbackBodyLimit {
  constructor(adapterHost: HttpAdapterHost) {
    adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      const path = route.url;
      if (path === IM_CALLBACK_ROUTE || path === `${IM_CALLBACK_ROUTE}/`) route.bodyLimit = IM_CALLBACK_BODY_LIMIT_BYTES;
    });
  }
}
