import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MutePrivilege = 'publish_audio' | 'publish_video';

/**
 * An Agora kicking rule that stops one uid of a muted member publishing audio or video in the
 * call's channel. Kept so that unmuting can delete the rule: Agora's `DELETE
 * /dev/v1/kicking-rule` takes the id its POST answered.
 */
@Entity({ name: 'call_mute_rules' })
@Index('UQ_call_mute_rules_call_uid_privilege', ['callId', 'uid', 'privilege'], { unique: true })
@Index('IDX_call_mute_rules_call_user', ['callId', 'userId'])
export class MuteRule {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** Agora uid: 1 .. 2^32-1. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  uid: number;

  @Column({ type: 'varchar', length: 16 })
  privilege: MutePrivilege;

  /** The id Agora gave the rule. */
  @Column({ name: 'rule_id', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  ruleId: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
