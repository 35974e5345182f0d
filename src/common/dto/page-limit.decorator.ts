import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** A list query's page size: an optional integer from 1 to `max` (the default is the property's initializer). */
export function PageLimit(max: number): PropertyDecorator {
  return applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(1), Max(max), ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: max }));
}
