import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { execute, InsertStatement } from '../database/raw-writes';
import { CallMediaKey } from './entities/call-media-key.entity';
import { LIVE } from './call-fields';

const INSERT_KEY = new InsertStatement(CallMediaKey, ['callId', 'mode', 'sealed', 'createdAt']);
const DELETE_KEY_SQL = 'DELETE FROM call_media_keys WHERE call_id = ?';
const LIVE_ENCRYPTED_SQL = `SELECT COUNT(*) AS n FROM calls WHERE status ${LIVE} AND encryption <> 'none'`;

/**
 * The SQL of the sealed media keys (`call_media_keys`, issue 26), one row per encrypted call while
 * it is occupied. Writes run in the caller's transaction, under the call's row lock. Used by
 * MediaKeys only; the token path reads the row in its own admission round trip.
 */
@Injectable()
export class MediaKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The call's sealed key row, if any. */
  sealedOf(manager: EntityManager, callId: number): Promise<Pick<CallMediaKey, 'mode' | 'sealed'> | null> {
    return manager.findOne(CallMediaKey, { where: { callId }, select: { callId: true, mode: true, sealed: true } });
  }

  /** The call's key row replaced by a new one: the old one deleted, the new one inserted. */
  async replace(manager: EntityManager, row: CallMediaKey): Promise<void> {
    await execute(manager, DELETE_KEY_SQL, [row.callId]);
    await INSERT_KEY.run(manager, row);
  }

  /** The call's key row deleted (the call ended, or its mode changed while nobody was in it). */
  async drop(manager: EntityManager, callId: number): Promise<void> {
    await execute(manager, DELETE_KEY_SQL, [callId]);
  }

  /** How many calls not ended are encrypted (start-up refuses to run them without MEDIA_KEY_SECRET). */
  async liveEncryptedCalls(): Promise<number> {
    const rows: Array<{ n: number | string }> = await this.dataSource.query(LIVE_ENCRYPTED_SQL);
    return Number(rows[0]?.n ?? 0);
  }
}
