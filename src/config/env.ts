import { plainToInstance, ClassConstructor } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** Thrown when the environment cannot start the service; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Checks that say what kind of value a variable takes: when one fails, the range checks say nothing more. */
const TYPE_CHECKS = ['isInt', 'isNumber', 'isBoolean', 'isString'];

/** One line per broken rule, each naming its variable; `PORT=abc` is one line (not a whole number), not three. */
function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const failed = Object.entries(error.constraints ?? {});
    const typeFailures = failed.filter(([name]) => TYPE_CHECKS.includes(name));
    const messages = (typeFailures.length > 0 ? typeFailures : failed).map(([, message]) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    );
    return [...new Set(messages)];
  });
}

/**
 * Checks the variables a config namespace reads and returns what it read with every problem found,
 * so a loader can add its own rules (variables that go together, production requirements) and
 * report all of them at once. Empty strings count as unset, so a `.env` line such as
 * `JWT_ISSUER=` falls back to the default instead of failing.
 */
export function checkEnv<T extends object>(schema: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): { values: T; problems: string[] } {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') present[key] = value.trim();
  }
  const values = plainToInstance(schema, present, { excludeExtraneousValues: false });
  const errors = validateSync(values, { forbidUnknownValues: false });
  return { values, problems: describe(errors) };
}

/** checkEnv for a namespace with no rules of its own: throws ConfigValidationError naming every problem. */
export function validateEnv<T extends object>(schema: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const { values, problems } = checkEnv(schema, env);
  assertConfig(problems);
  return values;
}

/** Throws ConfigValidationError listing the problems, if there are any. */
export function assertConfig(problems: string[]): void {
  if (problems.length > 0) throw new ConfigValidationError(problems);
}

export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const lowered = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  return value;
};

export const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'production';
}
