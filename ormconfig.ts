/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run | migration:revert | migration:generate`).
 * It is built by the same function as the application's, from the same DATABASE_URL.
 */
import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/config/database.config';
import { buildDataSourceOptions } from './src/database/data-source.options';
import { ENTITIES } from './src/entities';

const config = loadDatabaseConfig();

export default new DataSource(buildDataSourceOptions(config.target, ENTITIES, false, config.queryTimeoutMs));
