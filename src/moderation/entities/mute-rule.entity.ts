import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MutePrivilege = 'publish_audio' | 'publish_video';

/**
 * An Agora kicking rule that stops one uid of a member publishing audio or video in the call's
 * channel (see `PublishRestrictions`). Every rule Agora accepted is kept, with when it ends, so
 * that a token is only given while rules cover its whole lifetime and lifting the restriction
 * can delete every one of them: Agora's `DELETE /dev/v1/kicking-rule` takes the id its POST
 * answered. A uid may have several rules for one privilege for a while (a new one posted before
 * a renewal outlived the old one, or two posted at once).
 */
@Entity({ name: 'call_mute_rules' })
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

  /**
   * When the rule ends at Agora, on this service's clock (taken before the request was sent, so
   * Agora's own end is a little later). NULL for rules kept before this was recorded: they cover
   * no new token (one gets a new rule), and are deleted at Agora when lifted until Agora's
   * longest, 86430 s, after `created_at` (see `ruleCovers`, `ruleEnd`).
   */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;
}
