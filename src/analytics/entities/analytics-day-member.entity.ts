import { Entity, PrimaryColumn } from 'typeorm';

/** Who joined a call on a given UTC day: distinct members over any range are counted from this. */
@Entity({ name: 'analytics_day_members' })
export class AnalyticsDayMember {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;
}
