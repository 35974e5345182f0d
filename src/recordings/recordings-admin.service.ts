import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor';
import { AdminRecordingsQueryDto, RecordingPageDto } from './dto/recording.dto';
import { RecordingsRepository } from './recordings.repository';
import { toRecordingDto } from './recordings.service';

/** The admins' list of every recording, keyset paged on (created_at, id). */
@Injectable()
export class RecordingsAdminService {
  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly clock: Clock,
  ) {}

  async page(query: AdminRecordingsQueryDto): Promise<RecordingPageDto> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) throw new DomainException('VALIDATION_FAILED', 'from must be before to');
    const after = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
    const limit = query.limit ?? 50;
    // One more than asked, to know whether another page follows.
    const rows = await this.recordings.page(from, to, after, limit + 1);
    const shown = rows.slice(0, limit);
    const now = this.clock.now();
    const last = shown[shown.length - 1];
    return { recordings: shown.map((row) => toRecordingDto(row, now)), nextCursor: rows.length > limit && last ? encodeKeysetCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }
}
