import { CreateUsers1764028800000 } from './1764028800000-CreateUsers';

/** Every migration in the order it runs. Add new ones at the end. */
export const MIGRATIONS = [CreateUsers1764028800000];
