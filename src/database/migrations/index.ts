import { CreateUsers1764028800000 } from './1764028800000-CreateUsers';
import { CreateCalls1764028900000 } from './1764028900000-CreateCalls';

/** Every migration in the order it runs. Add new ones at the end. */
export const MIGRATIONS = [CreateUsers1764028800000, CreateCalls1764028900000];
