import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getFromContainer, getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Check = (value: Record<string, unknown>) => boolean;

interface PropertyCheck {
  name: string;
  /** `@IsOptional()` and other `@ValidateIf` conditions: all must hold for the validators to run. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  validators: Array<{ validate(value: unknown, args: ValidationArguments): unknown; constraints: unknown[]; targetName: string }>;
}

const PLAIN_TO_CLASS = 0; // class-transformer's TransformationType.PLAIN_TO_CLASS

/**
 * A quick acceptance check for a request DTO, read off the DTO's own class-validator decorators:
 * for each property it runs the same `@ValidateIf`/`@IsOptional` conditions and the same
 * validator functions (`isString`, `min`, `matches`, the project's own constraints) that
 * class-validator runs, without building error objects, without class-transformer, and
 * synchronously. It only ever says "valid"; anything else (an invalid value, an unknown property,
 * a non-primitive value, a validator that is async) sends the request down the full
 * ValidationPipe, which gives the error its usual message. So the rules stay in the DTO and the
 * answers stay exactly those of the pipe; only accepting a valid body gets cheaper.
 *
 * Returns null for a class it cannot vouch for: nested or promise validation, `each`, groups,
 * class-transformer metadata (`@Type`, `@Transform`, `@Expose`, `@Exclude`), or no decorators at
 * all. Such classes always take the full pipe.
 */
export function compileFastCheck(target: new () => object): Check | null {
  const metadatas: ValidationMetadata[] = getMetadataStorage().getTargetValidationMetadatas(target, '', true, false, undefined);
  if (metadatas.length === 0) return null;
  if (defaultMetadataStorage.getExposedMetadatas(target).length > 0 || defaultMetadataStorage.getExcludedMetadatas(target).length > 0) return null;
  if (defaultMetadataStorage.getStrategy(target) !== 'none') return null;
  const properties = new Map<string, PropertyCheck>();
  for (const metadata of metadatas) {
    if (metadata.each || (metadata.groups && metadata.groups.length > 0)) return null;
    const name = metadata.propertyName;
    if (defaultMetadataStorage.findTypeMetadata(target, name) || defaultMetadataStorage.findTransformMetadatas(target, name, PLAIN_TO_CLASS).length > 0) return null;
    let property = properties.get(name);
    if (!property) properties.set(name, (property = { name, conditions: [], validators: [] }));
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        property.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraint = getFromContainer(metadata.constraintCls) as PropertyCheck['validators'][number] | undefined;
        if (typeof constraint?.validate !== 'function') return null;
        const validate = constraint.validate.bind(constraint);
        property.validators.push({ validate, constraints: metadata.constraints, targetName: target.name });
        break;
      }
      case ValidationTypes.IS_DEFINED:
        property.validators.push({ validate: (value) => value !== undefined && value !== null, constraints: [], targetName: target.name });
        break;
      case ValidationTypes.WHITELIST:
        break;
      default:
        return null;
    }
  }
  const checks = [...properties.values()];
  const known = new Set(properties.keys());
  return (value) => {
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (!known.has(key)) return false;
      const field = value[key];
      if (field !== null && typeof field === 'object') return false;
    }
    for (const property of checks) {
      const field = value[property.name];
      if (!property.conditions.every((condition) => condition(value, field))) continue;
      for (const validator of property.validators) {
        const args: ValidationArguments = { value: field, constraints: validator.constraints, targetName: validator.targetName, object: value, property: property.name };
        if (validator.validate(field, args) !== true) return false;
      }
    }
    return true;
  };
}
