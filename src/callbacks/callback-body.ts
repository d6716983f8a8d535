import { parse as parseQueryString } from 'node:querystring';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorCodes, FastifyInstance, FastifyRequest } from 'fastify';

/** The route Tencent IM posts its third-party callbacks to. */
export const IM_CALLBACK_ROUTE = '/v1/callbacks/tencent-im';

const isCallbackRoute = (request: FastifyRequest) => {
  const url = request.routeOptions.url;
  return url === IM_CALLBACK_ROUTE || url === `${IM_CALLBACK_ROUTE}/`;
};

/**
 * Lets the callback route read its body as raw text whatever the Content-Type: Tencent IM's documented sample
 * request carries only Host and Content-Length, and the bytes must reach the business's own callback URL
 * unchanged (IM's numbers can exceed JavaScript's safe integers). Every other route parses as before: JSON and
 * form bodies as Nest's adapter does, and 415 for any other media type.
 */
@Injectable()
export class CallbackBodyParsers implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // Runs after Nest registered its JSON and form parsers (app.init) and before the server starts.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    const json = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
    fastify.removeContentTypeParser(['application/json', 'application/x-www-form-urlencoded']);
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
      isCallbackRoute(request) ? done(null, body) : json(request, body as string, done),
    );
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) =>
      done(null, isCallbackRoute(request) ? body : { ...parseQueryString(body as string) }),
    );
    // No Content-Type, or any other one.
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) =>
      isCallbackRoute(request) ? done(null, body) : done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE()),
    );
  }
}
