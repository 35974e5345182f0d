import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A member's place at a call's door: `waiting` since they knocked, `admitted` by the host, a
 * moderator, an admin (or by the host's arrival, with wait-for-host), or `denied`.
 */
export type LobbyState = 'waiting' | 'admitted' | 'denied';
export const LOBBY_STATES: LobbyState[] = ['waiting', 'admitted', 'denied'];

/**
 * The lobby of calls with `lobby` or `wait_for_host` on: one row per member who knocked, changed
 * only under the call's row lock (the one lock order). A wait counts for `LOBBY_WAIT_MINUTES`
 * after `since`, an admission for `LOBBY_ADMISSION_MINUTES` after `decided_at`; a denial until
 * the member is admitted. Rows go with the call (retention).
 */
@Entity({ name: 'call_lobby' })
@Index('UQ_call_lobby_call_user', ['callId', 'userId'], { unique: true })
@Index('IDX_call_lobby_call_state_since', ['callId', 'state', 'since'])
export class LobbyEntry {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 16 })
  state: LobbyState;

  /** When the member knocked (this wait; a knock after an expired wait or admission starts a new one). */
  @Column({ type: 'datetime', precision: 3 })
  since: Date;

  /** When they were admitted or denied; null while waiting. */
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  /** Who admitted or denied them (the host whose arrival admitted them, with wait-for-host); null while waiting. */
  @Column({ name: 'decided_by', type: 'int', nullable: true })
  decidedBy: number | null;
}
