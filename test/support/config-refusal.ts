import { ConfigValidationError } from '../../src/config/env';

/** Runs a configuration loader that must refuse the environment, and returns the error it threw. */
export function refusal(load: () => unknown): ConfigValidationError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return error as ConfigValidationError;
  }
  throw new Error('expected the loader to throw ConfigValidationError, but it loaded');
}
