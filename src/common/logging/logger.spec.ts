import { Writable } from 'node:stream';
import { createRootLogger, PinoNestLogger } from './logger';

/** A root logger at `level` writing into an array of parsed lines. */
function capture(level: 'info' | 'debug') {
  const lines: Array<{ level: string; msg?: string; context?: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { root: createRootLogger(level, destination), lines };
}

describe('start-up logging', () => {
  it("writes Nest's start-up narration (modules, controllers, routes) at debug, and everything else Nest says at its own level", () => {
    const { root, lines } = capture('debug');
    const nest = new PinoNestLogger(root);
    nest.log('Mapped {/api/calling/create, POST} route', 'RouterExplorer');
    nest.log('CallsController {/api/calling}:', 'RoutesResolver');
    nest.log('TypeOrmModule dependencies initialized', 'InstanceLoader');
    nest.log('Starting Nest application...', 'NestFactory');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('retention purge', 'RetentionService');
    nest.warn('a warning from the router', 'RouterExplorer');
    expect(lines.map((line) => [line.level, line.context])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'RoutesResolver'],
      ['debug', 'InstanceLoader'],
      ['debug', 'NestFactory'],
      ['debug', 'NestApplication'],
      ['info', 'RetentionService'],
      ['warn', 'RouterExplorer'],
    ]);
  });

  it('leaves none of it at info', () => {
    const { root, lines } = capture('info');
    new PinoNestLogger(root).log('Mapped {/api/calling/create, POST} route', 'RouterExplorer');
    root.info('Server listening at http://127.0.0.1:3000');
    root.info('Ikoota calling API at http://localhost:3000/api');
    expect(lines.map((line) => line.msg)).toEqual(['Ikoota calling API at http://localhost:3000/api']);
  });

  it("writes Fastify's line per listening address at debug", () => {
    const { root, lines } = capture('debug');
    root.info('Server listening at http://127.0.0.1:3000');
    root.info({ port: 3000 }, 'another line');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['debug', 'Server listening at http://127.0.0.1:3000'],
      ['info', 'another line'],
    ]);
  });
});
