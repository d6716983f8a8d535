import { BadRequestException, HttpException, HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as secureJsonParse } from 'secure-json-parse';

/**
 * One body policy for every route: request bodies are JSON, sent with `content-type: application/json`
 * (any charset parameter); anything else is 415 with a message that says so. JSON that would hurt is a 400
 * naming the fault: not JSON, empty, keys that reach an object's prototype (`__proto__`, `constructor.prototype`:
 * secure-json-parse, as Fastify's own parser uses), or nesting deeper than BODY_MAX_DEPTH (a validator walking it
 * recursively would overflow the stack). Size is capped by the routes' bodyLimit (413). Routes that must read
 * their bytes as sent whatever the Content-Type (Tencent IM's callbacks) are named by `rawText` and get the text.
 */
export const BODY_MAX_DEPTH = 32;

export const SEND_JSON = 'send the body as JSON with content-type: application/json';

/** The 415 for a body that is not declared as JSON. */
export function unsupportedMediaType(contentType: string | undefined): HttpException {
  const got = contentType ? `got content-type: ${contentType.split(';')[0].trim()}` : 'no content-type was given';
  return new UnsupportedMediaTypeException({ statusCode: 415, error: 'Unsupported Media Type', message: `${SEND_JSON} (${got})` });
}

function badBody(message: string): HttpException {
  return new BadRequestException({ statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request', message: [message] });
}

/**
 * Parses a JSON request body by the policy above. Returns the value, or throws a 400 HttpException whose
 * message names the fault (never a 5xx).
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw badBody('body is empty: send a JSON object');
  let value: unknown;
  try {
    value = secureJsonParse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (/prototype property/.test(message)) throw badBody('body must not contain the keys __proto__ or constructor.prototype');
    throw badBody(`body is not valid JSON: ${message}`);
  }
  if (depthExceeds(value, BODY_MAX_DEPTH)) throw badBody(`body is nested deeper than ${BODY_MAX_DEPTH} levels`);
  return value;
}

/** Whether `value` nests objects or arrays deeper than `limit`; iterative, so depth itself cannot overflow it. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Installs the policy's parsers on the Fastify instance (replacing JSON, form and text parsers registered before).
 * `rawText(request)` picks routes that receive the body as text, unparsed, whatever its Content-Type.
 */
export function registerBodyPolicy(fastify: FastifyInstance, rawText: (request: FastifyRequest) => boolean = () => false): void {
  for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', '*']) {
    if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
  }
  // Read as bytes and decoded here: Fastify's `parseAs: 'string'` counts the decoded text against Content-Length, so
  // a body that is not valid UTF-8 would fail with a framing error instead of reaching the policy (or the raw route).
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = (body as Buffer).toString('utf8');
    if (rawText(request)) return done(null, text);
    try {
      done(null, parseJsonBody(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // No Content-Type, or any other one (forms, text/plain, …).
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) =>
    rawText(request)
      ? done(null, (body as Buffer).toString('utf8'))
      : done(unsupportedMediaType(request.headers['content-type']), undefined),
  );
}
