import { DataSource, QueryRunner } from 'typeorm';
import { activeTracing } from '../tracing/current';

/** QueryRunner.query, either overload. */
type Query = (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;

/**
 * With tracing on, a span per SQL statement on SQLite, as the mysql2 instrumentation makes on
 * MySQL/MariaDB (there is no OpenTelemetry instrumentation for better-sqlite3). Every statement
 * TypeORM sends, BEGIN and COMMIT included, goes through its query runner's `query`, so that is
 * where the span goes: named by the statement's first word, `db.system.name` sqlite and
 * `db.query.text` the statement as prepared, placeholders and all; parameter values are never
 * read. Statements outside a request or a job (start-up migrations, a job's lease) make no span.
 * With tracing off this does nothing and loads nothing.
 */
export function traceSqliteStatements(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3' || !activeTracing()) return;
  const { context, SpanKind, SpanStatusCode, trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const tracer = trace.getTracer('ikoota-calling-sqlite');

  const traced = (query: Query): Query =>
    function (this: QueryRunner, sql: string, parameters?: unknown[], structured?: boolean) {
      const parent = context.active();
      if (!trace.getSpan(parent)) return query.call(this, sql, parameters, structured);
      const span = tracer.startSpan(
        sql.trimStart().split(/\s/, 1)[0].toUpperCase(),
        { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'sqlite', 'db.query.text': sql } },
        parent,
      );
      return query.call(this, sql, parameters, structured).then(
        (result) => {
          span.end();
          return result;
        },
        (error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', (error as Error)?.name ?? 'Error');
          span.end();
          throw error;
        },
      );
    };

  // better-sqlite3 has one query runner per data source; wrap each runner the driver hands out once.
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const create = driver.createQueryRunner.bind(driver);
  const wrapped = new WeakSet<QueryRunner>();
  driver.createQueryRunner = (mode: string) => {
    const runner = create(mode);
    if (!wrapped.has(runner)) {
      runner.query = traced(runner.query as Query) as QueryRunner['query'];
      wrapped.add(runner);
    }
    return runner;
  };
}
