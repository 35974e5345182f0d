import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { compileFastCheck } from './fast-validation';

type Check = ReturnType<typeof compileFastCheck>;

/**
 * Nest's ValidationPipe, minus its conversion of bare path and query values: with `transform`
 * on it turns "1e3", "0x10" or " 42" into numbers before a route's own pipe can refuse them.
 * Here DTO classes convert their own fields (`@Type`) and id pipes parse the raw string.
 *
 * A JSON body that a DTO's own decorators accept outright (`compileFastCheck`) becomes the DTO
 * instance without the pipe's slower path; every other body goes through that path unchanged, so
 * refusals and their messages are the pipe's own.
 */
export class StrictValidationPipe extends ValidationPipe {
  private readonly fastChecks = new Map<unknown, Check>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const target = metadata.metatype as (new () => object) | undefined;
    if (metadata.type === 'body' && typeof target === 'function' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      let check = this.fastChecks.get(target);
      if (check === undefined) this.fastChecks.set(target, (check = compileFastCheck(target)));
      if (check && isPlainObject(value) && check(value as Record<string, unknown>)) {
        return Object.assign(new target(), value);
      }
    }
    return super.transform(value, metadata);
  }

  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** An object literal or JSON.parse result (from any realm): its prototype is Object's, or none. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
