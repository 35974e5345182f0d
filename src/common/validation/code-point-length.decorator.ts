import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { buildMessage, ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';

export const CODE_POINT_LENGTH = 'codePointLength';

/**
 * The number of Unicode code points in `value`, as `[...value].length` counts them: a surrogate
 * pair is one, a lone surrogate is one, U+FE0E/U+FE0F variation selectors count like any other
 * character. That is what a MariaDB utf8mb4 `varchar(N)` column holds N of.
 */
export function codePointCount(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

function inRange(value: unknown, min: number, max: number): boolean {
  if (typeof value !== 'string') return false;
  const count = codePointCount(value);
  return count >= min && count <= max;
}

function message(eachPrefix: string, args?: ValidationArguments): string {
  const [min, max] = (args?.constraints ?? [0, 0]) as [number, number];
  const count = typeof args?.value === 'string' ? codePointCount(args.value) : undefined;
  // Worded as Length words it: a missing value is "too short", any other non-string gets the range.
  const tooShort = min > 0 && (!args?.value || (count !== undefined && count < min));
  if (tooShort) return `${eachPrefix}$property must be longer than or equal to $constraint1 characters`;
  if ((count !== undefined && count > max) || min === 0) return `${eachPrefix}$property must be shorter than or equal to $constraint2 characters`;
  return `${eachPrefix}$property must be longer than or equal to $constraint1 and shorter than or equal to $constraint2 characters`;
}

/**
 * A string of `min` to `max` Unicode code points: class-validator's `Length`, with its messages,
 * but counting the way the database column does (see `codePointCount`). validator.js's
 * `isLength`, behind `Length` and `MaxLength`, does not count variation selectors, so a title of
 * 200 "a" + U+FE0F pairs passed `Length(1, 200)` and then overflowed `varchar(200)` on MariaDB.
 * Use it, with the column's own length constant, on every string that is stored in a
 * length-limited column. The limits also go into the OpenAPI schema (`minLength`/`maxLength`,
 * which JSON Schema counts in code points too), as the Swagger plugin does for `Length`.
 */
export function CodePointLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ValidateBy(
      {
        name: CODE_POINT_LENGTH,
        constraints: [min, max],
        validator: {
          validate: (value: unknown) => inRange(value, min, max),
          defaultMessage: buildMessage(message, options),
        },
      },
      options,
    ),
    ApiProperty({ ...(min > 0 ? { minLength: min } : {}), maxLength: max }),
  );
}

/** At most `max` Unicode code points (class-validator's `MaxLength`, counting as the column does). */
export function MaxCodePoints(max: number, options?: ValidationOptions): PropertyDecorator {
  return CodePointLength(0, max, options);
}
