import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { User } from './entities/user.entity';

/** The `users` table's SQL: the members this service has seen, by id and by OTO# number. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly users = (manager?: EntityManager): Repository<User> => (manager ?? this.dataSource.manager).getRepository(User);

  /** A member's row, or null when never seen. */
  findUser(userId: number, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOne({ where: { id: userId } });
  }

  /** Whether a row exists for the member. */
  userExists(userId: number): Promise<boolean> {
    return this.users().exists({ where: { id: userId } });
  }

  /** Who holds an OTO# number, or null when nobody does. */
  async holderOf(otoNumber: string, manager?: EntityManager): Promise<number | null> {
    const row = await this.users(manager).findOne({ where: { otoNumber }, select: { id: true } });
    return row?.id ?? null;
  }

  /** The OTO# numbers of the given members (those seen). */
  otoNumbersOf(userIds: number[]): Promise<Array<Pick<User, 'id' | 'otoNumber'>>> {
    return this.users().find({ where: { id: In(userIds) }, select: { id: true, otoNumber: true } });
  }

  insertUser(manager: EntityManager, user: User): Promise<unknown> {
    return this.users(manager).insert(user);
  }

  /** Deletes the member's row: the number deleted. */
  async deleteUser(manager: EntityManager, userId: number): Promise<number> {
    return (await this.users(manager).delete({ id: userId })).affected ?? 0;
  }

  /** Writes what the member's newest claims say (and when they were seen). */
  /** Sets `last_seen_at` of several members at once. */
  touchUsers(manager: EntityManager, userIds: number[], at: Date): Promise<unknown> {
    return this.users(manager).createQueryBuilder().update().set({ lastSeenAt: at }).where({ id: In(userIds) }).execute();
  }

  updateUser(manager: EntityManager, userId: number, fields: Pick<User, 'membershipStage' | 'role' | 'lastSeenAt' | 'otoNumber'>): Promise<unknown> {
    return this.users(manager).update({ id: userId }, fields);
  }
}
