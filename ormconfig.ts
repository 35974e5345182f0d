/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run | migration:revert | migration:generate`).
 * It is built by the same function as the application's, from the same DATABASE_URL.
 */
import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/config/database.config';
import { buildDataSourceOptions } from './src/database/data-source.options';

const config = loadDatabaseConfig();

export default new DataSource(buildDataSourceOptions(config.target, false, config.queryTimeoutMs));
