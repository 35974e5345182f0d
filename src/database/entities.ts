import { User } from '../auth/entities/user.entity';

/** Every entity the DataSource knows, listed explicitly (no globs). */
export const ENTITIES = [User];
