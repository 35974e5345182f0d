import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { CallPreference } from './entities/call-preference.entity';

/** The `call_preferences` table's SQL: one row per member who saved preferences. */
@Injectable()
export class PreferencesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly preferences = (manager?: EntityManager): Repository<CallPreference> => (manager ?? this.dataSource.manager).getRepository(CallPreference);

  /** The member's stored row, or null when they never saved. */
  findPreferences(userId: number, manager?: EntityManager): Promise<CallPreference | null> {
    return this.preferences(manager).findOne({ where: { userId } });
  }

  /**
   * Whether the member has a row. A plain read, not a locking one: on InnoDB a locking read of a
   * missing row takes a gap lock, and two first saves holding it would deadlock on their inserts.
   */
  hasPreferences(manager: EntityManager, userId: number): Promise<boolean> {
    return this.preferences(manager).exists({ where: { userId } });
  }

  insertPreferences(manager: EntityManager, row: CallPreference): Promise<unknown> {
    return this.preferences(manager).insert(row);
  }

  /** Deletes the member's row: the number deleted. */
  async deletePreferences(manager: EntityManager, userId: number): Promise<number> {
    return (await this.preferences(manager).delete({ userId })).affected ?? 0;
  }

  updatePreferences(manager: EntityManager, userId: number, columns: Partial<CallPreference>): Promise<unknown> {
    return this.preferences(manager).update({ userId }, columns);
  }
}
