import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import type { LogLevel } from '../../config/app.config';
import { activeTracing } from '../../tracing/current';

/**
 * Paths pino blanks out wherever they appear: a second line of defence, since nothing in the
 * service logs headers, bodies or identities in the first place.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'email',
  '*.email',
  'username',
  '*.username',
];

/**
 * Nest's start-up narration (a line per module, per controller and per route: about a hundred)
 * is debug: at info, start-up says one line, main.ts's (src/config/summary.ts). Nest's warnings
 * and errors keep their level.
 */
export const NEST_STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Fastify's line per listening address, at info; the start-up line already says where the service is. */
const FASTIFY_LISTENING = 'Server listening at ';

export function createRootLogger(level: LogLevel, destination?: pino.DestinationStream): Pino {
  const tracing = activeTracing();
  return pino(
    {
      level,
      hooks: {
        logMethod(args, method, methodLevel) {
          if (methodLevel === pino.levels.values.info && typeof args[0] === 'string' && args[0].startsWith(FASTIFY_LISTENING)) {
            if (this.isLevelEnabled('debug')) this.debug(...args);
            return;
          }
          method.apply(this, args);
        },
      },
      base: { service: 'ikoota-calling' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // With tracing on, every line written inside a request or job carries its trace_id and span_id.
      ...(tracing ? { mixin: tracing.logFields } : {}),
    },
    destination,
  );
}

/** Nest's logger interface over pino, so framework and application logs are one JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Pino) {}

  log(message: unknown, context?: string): void {
    this.write(context && NEST_STARTUP_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, traceOrContext?: string, context?: string): void {
    // Nest calls error(message, stack, context) for its own errors.
    const ctx = context ?? traceOrContext;
    const stack = context ? traceOrContext : undefined;
    this.write('error', message, ctx, stack);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, stack?: string): void {
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (stack) fields.stack = stack;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      this.root[level]({ ...fields, ...(message as object) });
    } else if (message instanceof Error) {
      this.root[level]({ ...fields, error: { type: message.name, message: message.message, stack: message.stack } });
    } else {
      this.root[level](fields, String(message));
    }
  }
}
