/**
 * The JSON examples of calling-api.md, checked by the TypeScript compiler against types that
 * openapi-typescript generates from the live /api/docs-json (test/openapi.e2e-spec.ts copies
 * this file next to the generated `./openapi` and compiles both). Not part of `npm run
 * typecheck`: `./openapi` exists only while the test runs.
 *
 * - A request example must be a valid request body as the service documents it.
 * - A response type must have every field the spec's example shows, at the same path, status
 *   and type (fields the service adds are fine; a field may also be null).
 * So renaming, removing or retyping a field, a path or a status breaks this compile.
 */
import type { paths } from './openapi';

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** The shape of a spec example, leaves widened to their JSON type (or null). */
type Shape<T> = T extends readonly (infer E)[] ? Shape<E>[] : T extends object ? { [K in keyof T]: Shape<T[K]> } : T | null;

/** Compiles only when the service's answer `Actual` has everything the spec's example shows. */
function answers<Actual>() {
  return <Example>(example: Example, ..._fits: [Actual] extends [Shape<Example>] ? [] : ['the service answer lacks a field of this spec example']): Example => example;
}
function accepts<Request>(example: Request): Request {
  return example;
}

// 1. Generate Call Token
accepts<Body<'/api/calling/token', 'post'>>({ channelName: 'call_123456', uid: 789012 });
answers<Json<'/api/calling/token', 'post', 200>>()({
  token: 'agora_rtc_token_here',
  appId: 'agora_app_id',
  channelName: 'call_123456',
  uid: 789012,
  expiresAt: 1672531200,
});

// 2. Create New Call
accepts<Body<'/api/calling/create', 'post'>>({ title: 'Weekly Team Meeting', description: 'Discuss project progress and next steps', isPublic: false, maxParticipants: 25 });
answers<Json<'/api/calling/create', 'post', 201>>()({
  callId: 12345,
  channelName: 'call_1672531200_abc123xyz',
  title: 'Weekly Team Meeting',
  description: 'Discuss project progress and next steps',
  isPublic: false,
  maxParticipants: 25,
});

// 3. Join Call
answers<Json<'/api/calling/{callId}/join', 'post', 200>>()({ success: true, channelName: 'call_1672531200_abc123xyz', callTitle: 'Weekly Team Meeting' });

// 4. Leave Call
answers<Json<'/api/calling/{callId}/leave', 'post', 200>>()({ success: true });

// 5. Get User's Calls
answers<Json<'/api/calling/my-calls', 'get', 200>>()([
  {
    id: 12345,
    title: 'Weekly Team Meeting',
    description: 'Discuss project progress',
    channel_name: 'call_1672531200_abc123xyz',
    creator_id: 456,
    is_public: false,
    max_participants: 25,
    status: 'active',
    created_at: '2023-12-01T10:00:00Z',
    role: 'host',
    participant_count: 8,
  },
]);

// 6. Get Call Analytics (Admin)
answers<Json<'/api/calling/admin/analytics', 'get', 200>>()({
  dailyStats: [{ date: '2023-12-01', total_calls: 45, total_participants: 320, avg_duration: 1845, audio_minutes: 2150, video_minutes: 1890 }],
  summary: { totalCalls: 1350, totalParticipants: 9600, totalAudioMinutes: 64500, totalVideoMinutes: 58200, averageCallDuration: 1672, peakParticipants: 150 },
});

// 7. Get Call Details (Admin)
answers<Json<'/api/calling/admin/{callId}/details', 'get', 200>>()({
  call: {
    id: 12345,
    title: 'Weekly Team Meeting',
    description: 'Discuss project progress',
    channel_name: 'call_1672531200_abc123xyz',
    creator_id: 456,
    status: 'ended',
    created_at: '2023-12-01T10:00:00Z',
    ended_at: '2023-12-01T11:30:00Z',
  },
  participants: [
    { user_id: 456, oto_number: 'OTO#78901', role: 'host', joined_at: '2023-12-01T10:00:00Z', left_at: '2023-12-01T11:30:00Z', duration_seconds: 5400 },
  ],
  stats: { total_participants: 12, peak_participants: 8, total_duration_seconds: 5400, audio_minutes_consumed: 850, video_minutes_consumed: 720 },
});

// 8. Get User Call Preferences
answers<Json<'/api/calling/preferences', 'get', 200>>()({
  voice_masking_enabled: true,
  video_masking_enabled: true,
  auto_mute_on_join: false,
  video_quality: 'hd',
  preferred_avatar: 'avatar_001.png',
  created_at: '2023-12-01T10:00:00Z',
  updated_at: '2023-12-01T15:30:00Z',
});

// 9. Update User Call Preferences
accepts<Body<'/api/calling/preferences', 'put'>>({
  voice_masking_enabled: true,
  video_masking_enabled: false,
  auto_mute_on_join: true,
  video_quality: 'sd',
  preferred_avatar: 'avatar_002.png',
});
answers<Json<'/api/calling/preferences', 'put', 200>>()({
  success: true,
  message: 'Preferences updated successfully',
  preferences: { voice_masking_enabled: true, video_masking_enabled: false, auto_mute_on_join: true, video_quality: 'sd', preferred_avatar: 'avatar_002.png' },
});

// 10. End Call (Admin)
answers<Json<'/api/calling/admin/{callId}/end', 'post', 200>>()({ success: true, message: 'Call ended successfully', endedAt: '2023-12-01T11:30:00Z' });

// 11. Remove Participant (Admin)
answers<Json<'/api/calling/admin/{callId}/participants/{userId}', 'delete', 200>>()({ success: true, message: 'Participant removed from call' });

// Every documented error answer: the one body.
answers<Json<'/api/calling/{callId}/join', 'post', 404>>()({ statusCode: 404, error: 'Not Found', message: 'Call not found or ended', code: 'CALL_ENDED' });
