import { refusal } from '../../test/support/config-refusal';
import { loadLobbyConfig } from './lobby.config';
import { loadScheduleConfig } from './schedule.config';
import { loadStageConfig } from './stage.config';

/** The call settings' namespaces (schedules, the lobby, stages): their defaults and the limits of each variable. */

describe('loadScheduleConfig (scheduled calls)', () => {
  it('defaults to 10 minutes each, and reads the limits themselves', () => {
    expect(loadScheduleConfig({})).toEqual({ joinEarlyMinutes: 10, reminderMinutes: 10 });
    expect(loadScheduleConfig({ CALL_JOIN_EARLY_MINUTES: '0', CALL_REMINDER_MINUTES: '1' })).toEqual({ joinEarlyMinutes: 0, reminderMinutes: 1 });
    expect(loadScheduleConfig({ CALL_JOIN_EARLY_MINUTES: '240', CALL_REMINDER_MINUTES: '1440' })).toEqual({ joinEarlyMinutes: 240, reminderMinutes: 1440 });
    expect(loadScheduleConfig({ CALL_JOIN_EARLY_MINUTES: ' ', CALL_REMINDER_MINUTES: '' })).toEqual({ joinEarlyMinutes: 10, reminderMinutes: 10 });
  });

  it.each([
    ['CALL_JOIN_EARLY_MINUTES', '-1'],
    ['CALL_JOIN_EARLY_MINUTES', '241'],
    ['CALL_JOIN_EARLY_MINUTES', '2.5'],
    ['CALL_JOIN_EARLY_MINUTES', 'ten'],
    ['CALL_REMINDER_MINUTES', '0'],
    ['CALL_REMINDER_MINUTES', '1441'],
    ['CALL_REMINDER_MINUTES', '10m'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    expect(refusal(() => loadScheduleConfig({ [variable]: value })).message).toContain(variable);
  });
});

describe('loadLobbyConfig', () => {
  it('reads the lobby wait and the admission, in minutes, with their defaults (15, 10)', () => {
    expect(loadLobbyConfig({})).toEqual({ waitMs: 15 * 60_000, admissionMs: 10 * 60_000 });
    expect(loadLobbyConfig({ LOBBY_WAIT_MINUTES: '30', LOBBY_ADMISSION_MINUTES: ' 2 ' })).toEqual({ waitMs: 30 * 60_000, admissionMs: 2 * 60_000 });
  });

  it.each([
    ['LOBBY_WAIT_MINUTES', '0'],
    ['LOBBY_WAIT_MINUTES', '1441'],
    ['LOBBY_WAIT_MINUTES', '2.5'],
    ['LOBBY_ADMISSION_MINUTES', '-1'],
    ['LOBBY_ADMISSION_MINUTES', 'soon'],
  ])('refuses %s=%s and names the variable', (variable, value) => {
    expect(refusal(() => loadLobbyConfig({ [variable]: value })).message).toContain(variable);
  });
});

describe('loadStageConfig', () => {
  it.each([
    [undefined, 10_000],
    ['', 10_000],
    ['2', 2],
    [' 500 ', 500],
    ['10000', 10_000],
    ['100000', 100_000],
  ])('reads STAGE_MAX_PARTICIPANTS=%p as %p (2 .. 100000, default 10000)', (value, cap) => {
    expect(loadStageConfig(value === undefined ? {} : { STAGE_MAX_PARTICIPANTS: value })).toEqual({ maxParticipants: cap });
  });

  it.each(['1', '0', '-5', '100001', '2.5', 'many', '1e4'])('refuses STAGE_MAX_PARTICIPANTS=%s and names the variable', (value) => {
    expect(refusal(() => loadStageConfig({ STAGE_MAX_PARTICIPANTS: value })).message).toContain('STAGE_MAX_PARTICIPANTS');
  });
});
