import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { AdminRecordingsQueryDto, RecordingPageDto } from './dto/recording.dto';
import { RecordingCursor, RecordingsRepository } from './recordings.repository';
import { toRecordingDto } from './recordings.service';

/** A page cursor: the last row's creation time (ms) and id, base64url. */
export function encodeCursor(cursor: RecordingCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}:${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): RecordingCursor | undefined {
  const match = /^(\d{1,15}):(\d{1,10})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const id = Number(match[2]);
  return Number.isSafeInteger(id) && id > 0 ? { createdAt: new Date(Number(match[1])), id } : undefined;
}

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
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) throw new DomainException('VALIDATION_FAILED', 'cursor must be a nextCursor value from a previous page');
    const limit = query.limit ?? 50;
    // One more than asked, to know whether another page follows.
    const rows = await this.recordings.page(from, to, after, limit + 1);
    const shown = rows.slice(0, limit);
    const now = this.clock.now();
    const last = shown[shown.length - 1];
    return { recordings: shown.map((row) => toRecordingDto(row, now)), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }
}
