import { ValidationPipe } from '@nestjs/common';

/**
 * Nest's ValidationPipe, minus its conversion of bare path and query values: with `transform`
 * on it turns "1e3", "0x10" or " 42" into numbers before a route's own pipe can refuse them.
 * Here DTO classes convert their own fields (`@Type`) and id pipes parse the raw string.
 */
export class StrictValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}
