import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A lease on a scheduled job: the instance holding an unexpired lease runs it, the others skip. */
@Entity({ name: 'job_locks' })
export class JobLock {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  owner: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;
}
