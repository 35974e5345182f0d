import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A day's distinct members as a HyperLogLog sketch (hyperloglog.ts): fixed-size bytes, no ids. */
@Entity({ name: 'analytics_day_sketches' })
export class AnalyticsDaySketch {
  /** `YYYY-MM-DD`, UTC. */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @Column({ type: 'blob' })
  registers: Buffer;
}
