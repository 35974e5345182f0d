import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallRing, RingState } from './entities/call-ring.entity';

/** The SQL of direct calls' ringing (`call_rings`). */
@Injectable()
export class DirectCallsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertRing(manager: EntityManager, ring: CallRing): Promise<void> {
    await manager.createQueryBuilder().insert().into(CallRing).values(ring).updateEntity(false).execute();
  }

  /** A direct call's ringing row (in the caller's transaction when given). */
  ringOf(callId: number, manager: EntityManager = this.dataSource.manager): Promise<CallRing | null> {
    return manager.findOne(CallRing, { where: { callId } });
  }

  /** Moves a ring out of `ringing`; false when it was not ringing any more (someone else answered first). */
  async endRinging(manager: EntityManager, callId: number, to: Exclude<RingState, 'ringing'>, at: Date): Promise<boolean> {
    const result = await manager.createQueryBuilder().update(CallRing).set({ state: to, answeredAt: at }).where("call_id = :callId AND state = 'ringing'", { callId }).execute();
    return result.affected === 1;
  }

  /** Direct calls still ringing whose time is up. */
  ringsDue(now: Date, limit: number): Promise<CallRing[]> {
    return this.dataSource.getRepository(CallRing).createQueryBuilder('r').where("r.state = 'ringing' AND r.expires_at <= :now", { now }).orderBy('r.expiresAt', 'ASC').take(limit).getMany();
  }
}
