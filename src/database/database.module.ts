import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../config/database.config';
import { runMigrationsExclusively } from './migrations-runner';
import { reuseSqliteStatements } from './sqlite-statement-reuse';
import { traceSqliteStatements } from './sqlite-spans';
import { buildDataSourceOptions } from './data-source.options';
import { boundMysqlWaits } from './mysql-waits';
import { convertReturnedValues } from './returned-values';
import { TransactionRunner } from './transaction-runner.service';

/** The DataSource (migrations at start-up under a lock) and TransactionRunner, for the entities given. */
@Global()
@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>,
  ) {}

  static forRoot(entities: DataSourceOptions['entities']): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.KEY],
          useFactory: (db: ConfigType<typeof databaseConfig>) => ({
            ...buildDataSourceOptions(db.target, entities, db.migrationsRun, db.queryTimeoutMs),
            // Fail fast at start-up instead of retrying for half a minute.
            retryAttempts: 0,
          }),
          // Migrations run here, under a lock, instead of by TypeORM's own migrationsRun.
          dataSourceFactory: async (options) => {
            const dataSource = new DataSource({ ...options!, migrationsRun: false } as DataSourceOptions);
            reuseSqliteStatements(dataSource);
            traceSqliteStatements(dataSource);
            convertReturnedValues(dataSource);
            await dataSource.initialize();
            if (options!.migrationsRun) {
              try {
                await runMigrationsExclusively(dataSource);
              } catch (error) {
                // The application will not start, and nothing else would close the pool.
                await dataSource.destroy().catch(() => undefined);
                throw error;
              }
            }
            return dataSource;
          },
        }),
      ],
      providers: [TransactionRunner],
      exports: [TransactionRunner],
    };
  }

  /** After start-up migrations (which must not be cut short), before the first request. */
  onModuleInit(): void {
    boundMysqlWaits(this.dataSource, this.db.queryTimeoutMs);
  }
}
