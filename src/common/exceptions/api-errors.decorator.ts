import { applyDecorators } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ApiExtraModels } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, ErrorCode } from './domain.exception';
import { ErrorDto } from './error.dto';

/** A code a route can answer with, optionally with when it happens on this route. */
export type DocumentedError = ErrorCode | { code: ErrorCode; when: string };

const CODES_KEY = 'documented-error-codes';
/** Where @nestjs/swagger keeps a handler's responses (its API_RESPONSE; the package exports no path to it). */
const API_RESPONSE = 'swagger/apiResponse';

interface Declared {
  code: ErrorCode;
  when?: string;
}

type ResponseEntry = Record<string, unknown>;

function declared(errors: DocumentedError[]): Declared[] {
  return errors.map((error) => (typeof error === 'string' ? { code: error } : error));
}

/**
 * Adds codes to one route handler's documented errors (what `@ApiErrors` does; also used at
 * start-up for the refusals of the HTTP layer itself: see `src/common/openapi/openapi-document.ts`).
 * The responses are rewritten from every code declared on the handler so far; adding a code twice
 * changes nothing.
 */
export function addDocumentedErrors(handler: object, errors: DocumentedError[]): void {
  documentOn(handler, declared(errors));
}

/** Rewrites the documented error responses of one handler from every code declared on it so far. */
function documentOn(handler: object, errors: Declared[]): void {
  const all: Declared[] = [...((Reflect.getMetadata(CODES_KEY, handler) as Declared[] | undefined) ?? [])];
  for (const error of errors) {
    const seen = all.find((e) => e.code === error.code);
    if (!seen) all.push(error);
    else if (error.when && !seen.when) seen.when = error.when;
  }
  Reflect.defineMetadata(CODES_KEY, all, handler);

  const byStatus = new Map<number, Declared[]>();
  for (const error of all) {
    const status = ERROR_CODES[error.code].status as number;
    byStatus.set(status, [...(byStatus.get(status) ?? []), error]);
  }
  const responses: Record<string, ResponseEntry> = { ...((Reflect.getMetadata(API_RESPONSE, handler) as Record<string, ResponseEntry> | undefined) ?? {}) };
  for (const [status, codes] of byStatus) {
    const waiting = codes.filter(({ code }) => 'retryAfter' in ERROR_CODES[code]).map(({ code }) => code);
    // Sent with every answer of the status, or (required false) only with the codes that carry it.
    const retryAfter =
      waiting.length === 0
        ? undefined
        : waiting.length === codes.length
          ? { description: 'Seconds to wait before trying again', schema: { type: 'integer' } }
          : { description: `Seconds to wait before trying again (sent with ${waiting.map((code) => `\`${code}\``).join(', ')} only)`, required: false, schema: { type: 'integer' } };
    responses[status] = {
      description: codes.map(({ code, when }) => `\`${code}\`: ${when ?? ERROR_CODES[code].message}`).join('\n\n'),
      type: ErrorDto,
      isArray: false,
      examples: Object.fromEntries(
        codes.map(({ code, when }) => [
          code,
          {
            summary: when ?? ERROR_CODES[code].message,
            value: { statusCode: status, error: STATUS_CODES[status], message: ERROR_CODES[code].message, code },
          },
        ]),
      ),
      ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}),
    };
  }
  Reflect.defineMetadata(API_RESPONSE, responses, handler);
}

/**
 * Documents the error responses a route (or every route of a controller) can answer with, from
 * the codes it can throw: status, `ErrorDto` schema and one example per code, all read from
 * ERROR_CODES. Codes declared on the controller (access, rate limits) and on the route add up;
 * codes with the same status share one response.
 */
export function ApiErrors(...errors: DocumentedError[]): MethodDecorator & ClassDecorator {
  const list = declared(errors);
  return applyDecorators(ApiExtraModels(ErrorDto), (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      documentOn(descriptor.value as object, list);
      return;
    }
    // On a controller: every route handler (route decorators have run by now).
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as object | undefined;
      if (name !== 'constructor' && typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler)) documentOn(handler, list);
    }
  });
}
