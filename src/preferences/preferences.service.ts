import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { MaskingPreferencesDto, PreferencesDto } from './dto/preferences.dto';
import { UpdatePreferencesDto } from './dto/update-preferences.dto';
import { CallPreference } from './entities/call-preference.entity';
import { PreferencesRepository } from './preferences.repository';

/** Ikoota's defaults, for a member who never saved preferences. */
export const DEFAULT_PREFERENCES: Readonly<MaskingPreferencesDto> = Object.freeze({
  voice_masking_enabled: true,
  video_masking_enabled: true,
  auto_mute_on_join: false,
  video_quality: 'hd',
  preferred_avatar: null,
});

const UPSERT_ATTEMPTS = 3;

/** Nobody is recorded unless they said so. */
export const DEFAULT_RECORDING_CONSENT = false;

type PreferenceColumns = Partial<Pick<CallPreference, 'voiceMaskingEnabled' | 'videoMaskingEnabled' | 'autoMuteOnJoin' | 'videoQuality' | 'preferredAvatar' | 'recordingConsent'>>;

/** The fields the request carries, as columns; absent fields are left out, `null` avatar clears it. */
export function toColumns(changes: UpdatePreferencesDto): PreferenceColumns {
  const columns: PreferenceColumns = {};
  if (changes.voice_masking_enabled !== undefined) columns.voiceMaskingEnabled = changes.voice_masking_enabled;
  if (changes.video_masking_enabled !== undefined) columns.videoMaskingEnabled = changes.video_masking_enabled;
  if (changes.auto_mute_on_join !== undefined) columns.autoMuteOnJoin = changes.auto_mute_on_join;
  if (changes.video_quality !== undefined) columns.videoQuality = changes.video_quality;
  if (changes.preferred_avatar !== undefined) columns.preferredAvatar = changes.preferred_avatar;
  if (changes.recording_consent !== undefined) columns.recordingConsent = changes.recording_consent;
  return columns;
}

/** A member's masking preferences from their stored columns, or the defaults when they saved none. */
export function toMasking(row: Pick<CallPreference, 'voiceMaskingEnabled' | 'videoMaskingEnabled' | 'autoMuteOnJoin' | 'videoQuality' | 'preferredAvatar'> | null): MaskingPreferencesDto {
  if (!row) return { ...DEFAULT_PREFERENCES };
  return {
    voice_masking_enabled: row.voiceMaskingEnabled,
    video_masking_enabled: row.videoMaskingEnabled,
    auto_mute_on_join: row.autoMuteOnJoin,
    video_quality: row.videoQuality,
    preferred_avatar: row.preferredAvatar,
  };
}

function toDto(row: CallPreference): PreferencesDto {
  return { ...toMasking(row), recording_consent: row.recordingConsent, created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString() };
}

/** Each member's masking and media preferences: stored on request, defaults otherwise. */
@Injectable()
export class PreferencesService {
  private readonly logger = new Logger(PreferencesService.name);
  /** Told (after the commit) when a member gives or withdraws recording consent. */
  private readonly consentListeners: Array<(userId: number) => void> = [];

  constructor(
    private readonly preferences: PreferencesRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Registers who must know when a member's recording consent is saved (the recordings feature). */
  onConsentChanged(listener: (userId: number) => void): void {
    this.consentListeners.push(listener);
  }

  /** The member's stored preferences with their timestamps, or the defaults with null timestamps. */
  async get(userId: number): Promise<PreferencesDto> {
    const row = await this.preferences.findPreferences(userId);
    return row ? toDto(row) : { ...DEFAULT_PREFERENCES, recording_consent: DEFAULT_RECORDING_CONSENT, created_at: null, updated_at: null };
  }

  /** What a client applies when the member joins a call: stored, or the defaults. */
  async forUser(userId: number): Promise<MaskingPreferencesDto> {
    return toMasking(await this.preferences.findPreferences(userId));
  }

  /**
   * Erasure (src/erasure/): deletes the member's stored preferences in the caller's transaction
   * (1 or 0). Recordings already made with their consent stay until their retention ends.
   */
  eraseMember(manager: EntityManager, userId: number): Promise<number> {
    return this.preferences.deletePreferences(manager, userId);
  }

  /**
   * Applies the given fields over the stored row, creating it from the defaults when missing.
   * Two first saves of one member may race: the loser's insert hits the primary key and is
   * run again, now as an update.
   */
  async update(userId: number, changes: UpdatePreferencesDto): Promise<PreferencesDto> {
    const columns = toColumns(changes);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const saved = await this.tx.run((manager) => this.upsert(manager, userId, columns));
        if (columns.recordingConsent !== undefined) for (const listener of this.consentListeners) listener(userId);
        return saved;
      } catch (error) {
        if (attempt >= UPSERT_ATTEMPTS || !isUniqueViolation(error)) throw error;
        this.logger.debug({ msg: 'preferences upsert retried after a unique conflict', attempt });
      }
    }
  }

  private async upsert(manager: EntityManager, userId: number, columns: PreferenceColumns): Promise<PreferencesDto> {
    const existing = await this.preferences.hasPreferences(manager, userId);
    const now = this.clock.now();
    if (!existing) {
      const row = Object.assign(new CallPreference(), {
        userId,
        voiceMaskingEnabled: DEFAULT_PREFERENCES.voice_masking_enabled,
        videoMaskingEnabled: DEFAULT_PREFERENCES.video_masking_enabled,
        autoMuteOnJoin: DEFAULT_PREFERENCES.auto_mute_on_join,
        videoQuality: DEFAULT_PREFERENCES.video_quality,
        preferredAvatar: DEFAULT_PREFERENCES.preferred_avatar,
        recordingConsent: DEFAULT_RECORDING_CONSENT,
        ...columns,
        createdAt: now,
        updatedAt: now,
      });
      await this.preferences.insertPreferences(manager, row);
      return toDto(row);
    }
    await this.preferences.updatePreferences(manager, userId, { ...columns, updatedAt: now });
    // Read back after the update, which waited for the row lock: on InnoDB this shows fields a
    // concurrent save of the same member committed meanwhile, as well as ours.
    const row = await this.preferences.findPreferences(userId, manager);
    if (!row) throw new Error('The preferences row vanished during its own update');
    return toDto(row);
  }
}
