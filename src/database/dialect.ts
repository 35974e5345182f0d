import { EntityManager } from 'typeorm';

/**
 * Whether the manager's database runs one transaction at a time (SQLite through better-sqlite3):
 * row locks (`FOR UPDATE`) are then neither needed nor understood.
 */
export function isSerial(manager: EntityManager): boolean {
  return manager.connection.options.type === 'better-sqlite3';
}
