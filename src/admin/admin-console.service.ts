import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Readable } from 'node:stream';
import { AnalyticsService } from '../analytics/analytics.service';
import { utcDay } from '../analytics/utc-days';
import { OTO_NUMBER_PATTERN } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { settingsRowFields } from '../calls/call-fields';
import { CallsService } from '../calls/calls.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { retentionConfig } from '../config/retention.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor';
import { AdminCallRow, AdminConsoleRepository, likePattern, SessionsExportFilter } from './admin-console.repository';
import { csvLine } from './csv';
import { AdminCallRowDto, AdminCallsPageDto } from './dto/admin-calls.dto';
import { AdminCallsQueryDto } from './dto/admin-calls-query.dto';
import { AdminOverviewDto } from './dto/admin-overview.dto';
import { SessionsExportQueryDto } from './dto/sessions-export-query.dto';
import { iso } from '../common/iso';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Live calls listed in the overview. */
const BUSIEST = 5;
/** Sessions read per query while streaming the export: what bounds its memory. */
export const EXPORT_BATCH_SIZE = 1000;

export const SESSIONS_CSV_HEADER = ['call_id', 'oto_number', 'role', 'joined_at', 'left_at', 'duration_seconds', 'audio_seconds', 'video_seconds', 'leave_reason'];

/** A CSV being streamed: its file name and its body, produced batch by batch as it is read. */
export interface SessionsCsv {
  filename: string;
  stream: Readable;
}

/** One batch as CSV lines, with the cursor for the next. */
interface CsvBatch {
  lines: string;
  last: { joinedAt: Date; id: number } | null;
  full: boolean;
}

/** `2026-02-01T10:00:00.000Z` as `20260201T100000Z`, for file names. */
const compact = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** A range given as ISO strings: Dates, with `from` after `to` refused (400 VALIDATION_FAILED). */
function range(query: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = query.from === undefined ? undefined : new Date(query.from);
  const to = query.to === undefined ? undefined : new Date(query.to);
  if (from && to && from.getTime() > to.getTime()) throw new DomainException('VALIDATION_FAILED', 'from must not be after to');
  return { from, to };
}

/**
 * The admin console's reads: the call list (keyset-paged), what is happening now, and the
 * participation sessions as a CSV streamed batch by batch. Read-only; the SQL is in AdminConsoleRepository.
 */
@Injectable()
export class AdminConsoleService {
  private readonly logger = new Logger(AdminConsoleService.name);

  constructor(
    private readonly repository: AdminConsoleRepository,
    private readonly callsService: CallsService,
    private readonly users: UsersService,
    private readonly analytics: AnalyticsService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(retentionConfig.KEY) private readonly retention: ConfigType<typeof retentionConfig>,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
  ) {}

  /** One page of calls, newest first; `q` an OTO# number means that member's calls, anything else a title substring. */
  async calls(query: AdminCallsQueryDto): Promise<AdminCallsPageDto> {
    const limit = query.limit ?? 50;
    const { from, to } = range(query);
    const before = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
    const otoNumber = query.q !== undefined && OTO_NUMBER_PATTERN.test(query.q.toUpperCase()) ? query.q.toUpperCase() : undefined;
    let userId: number | undefined;
    if (otoNumber) {
      const id = await this.users.idOfOtoNumber(otoNumber);
      // Nobody has this number: nobody took part in anything under it.
      if (id === null) return { calls: [], nextCursor: null };
      userId = id;
    }
    const rows = await this.repository.adminCalls({
      status: query.status,
      from,
      to,
      titleLike: query.q !== undefined && !otoNumber ? likePattern(query.q) : undefined,
      userId,
      before,
      // One more than the page: whether there is a next page, without a count.
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      calls: page.map(toAdminCallRow),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor({ createdAt: last.call.createdAt, id: last.call.id }) : null,
    };
  }

  /** What is happening now (live counts on one snapshot), with today's media minutes from the analytics report. */
  async overview(): Promise<AdminOverviewDto> {
    const now = this.clock.now();
    const hourAgo = new Date(now.getTime() - HOUR_MS);
    // A token issued an hour ago expires one token lifetime after that.
    const tokenExpiresAfter = new Date(hourAgo.getTime() + this.agora.tokenTtlSeconds * 1000);
    const live = await this.tx.snapshot(async (manager) => ({
      counts: await this.callsService.liveCounts(manager),
      busiest: await this.repository.busiestLiveCalls(BUSIEST, manager),
      joins: await this.repository.sessionsJoinedSince(hourAgo, manager),
      tokens: await this.repository.sessionsWithTokenExpiringAfter(tokenExpiresAfter, manager),
    }));
    // The one definition of media minutes: the analytics report's, over today alone.
    const today = await this.analytics.report({ days: 1, groupBy: 'day' });
    return {
      generated_at: now.toISOString(),
      active_calls: live.counts.active,
      paused_calls: live.counts.paused,
      participants_now: live.counts.activeParticipants + live.counts.pausedParticipants,
      joins_last_hour: live.joins,
      token_sessions_last_hour: live.tokens,
      today: today.dailyStats[0]?.date ?? utcDay(now),
      audio_minutes_today: today.summary.totalAudioMinutes,
      video_minutes_today: today.summary.totalVideoMinutes,
      busiest_calls: live.busiest.map((call) => ({
        id: call.id,
        title: call.title,
        status: call.status,
        participants: call.activeParticipants,
        peak_participants: call.peakParticipants,
        max_participants: call.maxParticipants,
        created_at: call.createdAt.toISOString(),
      })),
    };
  }

  /**
   * Every participation session joined in the range (and call), as CSV, read in keyset batches
   * of EXPORT_BATCH_SIZE as the client reads: the stream asks for the next batch only when the
   * reply has taken the previous one, so memory stays flat whatever the size. The first batch
   * is read before answering, so a database failure is an error reply, not a cut-off file.
   */
  async sessionsCsv(query: SessionsExportQueryDto): Promise<SessionsCsv> {
    const { from, to } = range(query);
    const now = this.clock.now();
    const filter: SessionsExportFilter = { from, to, callId: query.callId, retainedSince: new Date(now.getTime() - this.retention.callRetentionDays * DAY_MS) };
    const first = await this.batch(filter, null, now);
    const rows = this.rows(filter, first, now);
    const name = ['sessions', from ? compact(from) : 'start', to ? compact(to) : 'now', ...(query.callId !== undefined ? [`call-${query.callId}`] : [])].join('_');
    const stream = Readable.from(rows, { objectMode: false, highWaterMark: 64 * 1024 });
    stream.on('error', (error: Error) => this.logger.error({ msg: 'sessions export failed mid-stream', err: error.message }));
    return { filename: `${name}.csv`, stream };
  }

  private async *rows(filter: SessionsExportFilter, first: CsvBatch, now: Date): AsyncGenerator<Buffer> {
    yield Buffer.from(csvLine(SESSIONS_CSV_HEADER) + first.lines, 'utf8');
    let batch = first;
    while (batch.full && batch.last) {
      batch = await this.batch(filter, batch.last, now);
      if (batch.lines) yield Buffer.from(batch.lines, 'utf8');
    }
  }

  /** One batch of sessions as CSV lines, with their audio and video seconds from their segments. */
  private async batch(filter: SessionsExportFilter, after: CsvBatch['last'], now: Date): Promise<CsvBatch> {
    const { sessions, last, full } = await this.repository.sessionsForExport(filter, after, EXPORT_BATCH_SIZE);
    const media = new Map<number, { audio: number; video: number }>();
    for (const segment of await this.repository.segmentsOfSessions(sessions.map((s) => s.id))) {
      const used = media.get(segment.sessionId) ?? { audio: 0, video: 0 };
      // An open segment counts up to now, as in the call's details.
      used[segment.media] += Math.max(0, (segment.endedAt ?? now).getTime() - segment.startedAt.getTime());
      media.set(segment.sessionId, used);
    }
    let lines = '';
    for (const s of sessions) {
      const used = media.get(s.id) ?? { audio: 0, video: 0 };
      lines += csvLine([
        s.callId,
        s.otoNumber,
        s.role,
        iso(s.joinedAt),
        iso(s.leftAt),
        s.durationSeconds,
        Math.round(used.audio / 1000),
        Math.round(used.video / 1000),
        s.leaveReason,
      ]);
    }
    return { lines, last, full };
  }
}

function toAdminCallRow({ call, creatorOtoNumber }: AdminCallRow): AdminCallRowDto {
  return {
    id: call.id,
    title: call.title,
    channel_name: call.channelName,
    creator_id: call.creatorId,
    creator_oto_number: creatorOtoNumber,
    is_public: call.isPublic,
    max_participants: call.maxParticipants,
    status: call.status,
    participant_count: call.activeParticipants,
    peak_participants: call.peakParticipants,
    created_at: call.createdAt.toISOString(),
    ended_at: iso(call.endedAt),
    ended_by: call.endedBy,
    ...settingsRowFields(call),
  };
}
