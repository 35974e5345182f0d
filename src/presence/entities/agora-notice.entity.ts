import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every Agora webhook notice applied, by its `noticeId`: a re-delivery is recognised and skipped. */
@Entity({ name: 'agora_notices' })
@Index('IDX_agora_notices_received', ['receivedAt'])
export class AgoraNotice {
  @PrimaryColumn({ name: 'notice_id', type: 'varchar', length: 64 })
  noticeId: string;

  @Column({ name: 'event_type', type: 'int' })
  eventType: number;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt: Date;
}
