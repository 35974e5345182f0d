import { PreferencesService } from '../src/preferences/preferences.service';
import { as, ikootaClaims } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const URL = '/api/calling/preferences';

const DEFAULTS = {
  voice_masking_enabled: true,
  video_masking_enabled: true,
  auto_mute_on_join: false,
  video_quality: 'hd',
  preferred_avatar: null,
  recording_consent: false,
  created_at: null,
  updated_at: null,
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Preferences: GET and PUT /api/calling/preferences', () => {
  let t: TestApp;
  /** Every body the service answered with, checked at the end for identity leaks. */
  const bodies: { userId: number; body: unknown }[] = [];

  const get = async (userId: number) => {
    const res = await t.http.get(URL).set(as.member(userId)).expect(200);
    bodies.push({ userId, body: res.body });
    return res.body;
  };
  const put = async (userId: number, payload: unknown, status = 200) => {
    const res = await t.http.put(URL).set(as.member(userId)).send(payload as object).expect(status);
    bodies.push({ userId, body: res.body });
    return res.body;
  };
  const storedRows = async (userId: number): Promise<Record<string, unknown>[]> =>
    t.dataSource.query('SELECT * FROM call_preferences WHERE user_id = ?', [userId]);

  beforeAll(async () => {
    t = await startApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers the defaults before anything is stored, and stores nothing for a read', async () => {
    await expect(get(101)).resolves.toEqual(DEFAULTS);
    await expect(storedRows(101)).resolves.toHaveLength(0);
  });

  it('stores a subset over the defaults and answers the merged preferences with timestamps', async () => {
    const body = await put(102, { video_masking_enabled: false, preferred_avatar: 'avatar_002.png' });
    expect(body).toEqual({
      success: true,
      message: 'Preferences updated successfully',
      preferences: {
        voice_masking_enabled: true,
        video_masking_enabled: false,
        auto_mute_on_join: false,
        video_quality: 'hd',
        preferred_avatar: 'avatar_002.png',
        recording_consent: false,
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
    expect(body.preferences.updated_at).toBe(body.preferences.created_at);
    await expect(get(102)).resolves.toEqual(body.preferences);

    const second = await put(102, { auto_mute_on_join: true, video_quality: 'sd' });
    expect(second.preferences).toMatchObject({
      voice_masking_enabled: true,
      video_masking_enabled: false,
      auto_mute_on_join: true,
      video_quality: 'sd',
      preferred_avatar: 'avatar_002.png',
    });
    await expect(get(102)).resolves.toEqual(second.preferences);
  });

  it('accepts the spec example in full', async () => {
    const example = { voice_masking_enabled: true, video_masking_enabled: false, auto_mute_on_join: true, video_quality: 'sd', preferred_avatar: 'avatar_002.png' };
    const body = await put(103, example);
    expect(body.preferences).toMatchObject(example);
    await expect(get(103)).resolves.toMatchObject(example);
  });

  it('moves updated_at on a later PUT and keeps created_at', async () => {
    const first = (await put(104, { auto_mute_on_join: true })).preferences;
    await sleep(20);
    const second = (await put(104, { auto_mute_on_join: true })).preferences;
    expect(second.created_at).toBe(first.created_at);
    expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at));
    await expect(get(104)).resolves.toMatchObject({ created_at: first.created_at, updated_at: second.updated_at });
  });

  it('clears the avatar with null, storing NULL', async () => {
    await put(105, { preferred_avatar: 'Avatar-7.JPEG' });
    await expect(get(105)).resolves.toMatchObject({ preferred_avatar: 'Avatar-7.JPEG' });
    const body = await put(105, { preferred_avatar: null });
    expect(body.preferences.preferred_avatar).toBeNull();
    await expect(get(105)).resolves.toMatchObject({ preferred_avatar: null });
    const [row] = await storedRows(105);
    expect(row.preferred_avatar).toBeNull();
  });

  it('accepts an empty body: creates the row with the defaults', async () => {
    const body = await put(106, {});
    expect(body.preferences).toEqual({ ...DEFAULTS, created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO) });
    await expect(storedRows(106)).resolves.toHaveLength(1);
    await expect(get(106)).resolves.toEqual(body.preferences);
  });

  it('accepts every allowed avatar extension, in any case, up to 64 characters', async () => {
    const names = ['a.png', 'b.jpg', 'c.jpeg', 'd.webp', 'e.svg', 'F_1-x.PNG', 'g.WebP', `${'a'.repeat(60)}.png`];
    for (const name of names) {
      const body = await put(107, { preferred_avatar: name });
      expect(body.preferences.preferred_avatar).toBe(name);
    }
  });

  it('counts the avatar limit in code points, as the column does: 64 characters is the most, whatever they are', async () => {
    // 40 "a" + U+FE0F pairs and ".png" are 84 code points; validator.js's isLength counted 44.
    const res = await t.http.put(URL).set(as.member(108)).send({ preferred_avatar: `${'a\uFE0F'.repeat(40)}.png` }).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.arrayContaining(['preferred_avatar must be shorter than or equal to 64 characters']) });
    await expect(storedRows(108)).resolves.toHaveLength(0);
    const longest = `${'b'.repeat(60)}.svg`;
    const body = await put(108, { preferred_avatar: longest });
    expect(body.preferences.preferred_avatar).toBe(longest);
    await expect(storedRows(108)).resolves.toEqual([expect.objectContaining({ preferred_avatar: longest })]);
  });

  describe('refuses invalid input with 400 and leaves the stored row as it was', () => {
    const invalid: [string, unknown][] = [
      ['an unknown field', { theme: 'dark' }],
      ['an unknown field beside valid ones', { voice_masking_enabled: false, user_id: 999 }],
      ['a string "true" for a boolean', { voice_masking_enabled: 'true' }],
      ['a string "false" for a boolean', { video_masking_enabled: 'false' }],
      ['1 for a boolean', { auto_mute_on_join: 1 }],
      ['0 for a boolean', { auto_mute_on_join: 0 }],
      ['null for voice_masking_enabled', { voice_masking_enabled: null }],
      ['null for video_masking_enabled', { video_masking_enabled: null }],
      ['null for auto_mute_on_join', { auto_mute_on_join: null }],
      ['null for video_quality', { video_quality: null }],
      ['a string "true" for recording_consent', { recording_consent: 'true' }],
      ['1 for recording_consent', { recording_consent: 1 }],
      ['null for recording_consent', { recording_consent: null }],
      ['an unknown video quality', { video_quality: 'uhd' }],
      ['an upper-case video quality', { video_quality: 'HD' }],
      ['a number for video_quality', { video_quality: 720 }],
      ['a relative path avatar', { preferred_avatar: '../x.png' }],
      ['a nested path avatar', { preferred_avatar: 'a/b.png' }],
      ['a backslash path avatar', { preferred_avatar: 'a\\b.png' }],
      ['an absolute path avatar', { preferred_avatar: '/etc/x.png' }],
      ['a hidden file avatar', { preferred_avatar: '.png' }],
      ['a leading dot avatar', { preferred_avatar: '.avatar.png' }],
      ['two extensions', { preferred_avatar: 'avatar.png.png' }],
      ['a disallowed extension', { preferred_avatar: 'avatar.gif' }],
      ['an executable extension', { preferred_avatar: 'avatar.exe' }],
      ['no extension', { preferred_avatar: 'avatar' }],
      ['a space in the name', { preferred_avatar: 'my avatar.png' }],
      ['a URL', { preferred_avatar: 'https://evil.example/a.png' }],
      ['an empty avatar', { preferred_avatar: '' }],
      ['an avatar of 65 characters', { preferred_avatar: `${'a'.repeat(61)}.png` }],
      ['a number for the avatar', { preferred_avatar: 2 }],
      ['an object for the avatar', { preferred_avatar: { name: 'a.png' } }],
      ['an array body', [{ voice_masking_enabled: false }]],
    ];

    let before: Record<string, unknown>;

    beforeAll(async () => {
      await put(110, { video_masking_enabled: false, video_quality: 'sd', preferred_avatar: 'avatar_001.png' });
      before = await get(110);
    });

    it.each(invalid)('%s', async (_label, payload) => {
      const res = await t.http.put(URL).set(as.member(110)).send(payload as object).expect(400);
      expect(res.body).toEqual(
        expect.objectContaining({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: 'VALIDATION_FAILED' }),
      );
      expect(res.body.message.length).toBeGreaterThan(0);
      await expect(get(110)).resolves.toEqual(before);
    });

    it('a member without a row still has none after invalid PUTs', async () => {
      for (const [, payload] of invalid) await t.http.put(URL).set(as.member(111)).send(payload as object).expect(400);
      await expect(storedRows(111)).resolves.toHaveLength(0);
      await expect(get(111)).resolves.toEqual(DEFAULTS);
    });

    it('refuses malformed JSON', async () => {
      const res = await t.http.put(URL).set(as.member(110)).set('Content-Type', 'application/json').send('{"voice_masking_enabled": fal');
      expect(res.status).toBe(400);
      // No `code` asserted: the exception filter answers Fastify's parse errors without one.
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      await expect(get(110)).resolves.toEqual(before);
    });
  });

  describe('access', () => {
    it('answers 401 without a token', async () => {
      const getRes = await t.http.get(URL).expect(401);
      expect(getRes.body).toMatchObject({ statusCode: 401, code: 'AUTH_MISSING_TOKEN' });
      const putRes = await t.http.put(URL).send({ auto_mute_on_join: true }).expect(401);
      expect(putRes.body).toMatchObject({ statusCode: 401, code: 'AUTH_MISSING_TOKEN' });
    });

    it('answers 401 for a token signed with another secret', async () => {
      const { signToken, bearer } = await import('./support/jwt');
      const forged = bearer(signToken(ikootaClaims(120, 'member'), {}, 'not-the-secret-not-the-secret-not-the-secret'));
      await t.http.get(URL).set(forged).expect(401);
      await t.http.put(URL).set(forged).send({ auto_mute_on_join: true }).expect(401);
      await expect(storedRows(120)).resolves.toHaveLength(0);
    });

    it('answers 403 to a non-member and an applicant, and stores nothing for them', async () => {
      for (const headers of [as.nonMember(121), as.applicant(122)]) {
        const getRes = await t.http.get(URL).set(headers).expect(403);
        expect(getRes.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'MEMBERSHIP_REQUIRED' });
        const putRes = await t.http.put(URL).set(headers).send({ auto_mute_on_join: true }).expect(403);
        expect(putRes.body).toMatchObject({ statusCode: 403, code: 'MEMBERSHIP_REQUIRED' });
      }
      await expect(storedRows(121)).resolves.toHaveLength(0);
      await expect(storedRows(122)).resolves.toHaveLength(0);
    });

    it('serves pre-members, full members and admins', async () => {
      for (const [id, headers] of [[123, as.preMember(123)], [124, as.fullMember(124)], [125, as.admin(125)]] as const) {
        const res = await t.http.put(URL).set(headers).send({ video_quality: 'sd' }).expect(200);
        expect(res.body.preferences.video_quality).toBe('sd');
        const got = await t.http.get(URL).set(headers).expect(200);
        expect(got.body.video_quality).toBe('sd');
        await expect(storedRows(id)).resolves.toHaveLength(1);
      }
    });
  });

  it("keeps two members' preferences apart", async () => {
    await put(130, { voice_masking_enabled: false, preferred_avatar: 'avatar_130.png' });
    await expect(get(131)).resolves.toEqual(DEFAULTS);
    await put(131, { video_quality: 'sd' });
    await expect(get(130)).resolves.toMatchObject({ voice_masking_enabled: false, video_quality: 'hd', preferred_avatar: 'avatar_130.png' });
    await expect(get(131)).resolves.toMatchObject({ voice_masking_enabled: true, video_quality: 'sd', preferred_avatar: null });
  });

  it('stores the same row for 10 concurrent first PUTs of one member, all answered 200', async () => {
    // A GET first, so the member is already known to the access guard and the PUTs race each
    // other on the preferences row rather than on the users row. It stores no preferences.
    await expect(get(140)).resolves.toEqual(DEFAULTS);
    const avatars = Array.from({ length: 10 }, (_, i) => `avatar_${String(i).padStart(3, '0')}.png`);
    const results = await Promise.all(avatars.map((preferred_avatar) => t.http.put(URL).set(as.member(140)).send({ preferred_avatar })));
    expect(results.map((res) => res.status)).toEqual(Array(10).fill(200));
    for (const res of results) bodies.push({ userId: 140, body: res.body });
    for (const [i, res] of results.entries()) {
      expect(res.body.success).toBe(true);
      expect(res.body.preferences.preferred_avatar).toBe(avatars[i]);
    }
    const rows = await storedRows(140);
    expect(rows).toHaveLength(1);
    expect(avatars).toContain(rows[0].preferred_avatar);
    const createdAts = new Set(results.map((res) => res.body.preferences.created_at));
    expect(createdAts.size).toBe(1);
  });

  it('survives 10 concurrent first saves of one member at the service, leaving one row', async () => {
    // Without HTTP in between the saves overlap for sure, so on MariaDB the inserts collide on
    // the primary key and the losers must be retried as updates.
    const service = t.app.get(PreferencesService);
    const saved = await Promise.all(Array.from({ length: 10 }, (_, i) => service.update(142, { preferred_avatar: `avatar_${i}.png` })));
    expect(saved).toHaveLength(10);
    await expect(storedRows(142)).resolves.toHaveLength(1);
    expect(new Set(saved.map((s) => s.created_at)).size).toBe(1);
  });

  it('keeps concurrent PUTs of different fields: neither is lost', async () => {
    await put(141, {});
    await Promise.all([
      t.http.put(URL).set(as.member(141)).send({ voice_masking_enabled: false }).expect(200),
      t.http.put(URL).set(as.member(141)).send({ video_quality: 'sd' }).expect(200),
      t.http.put(URL).set(as.member(141)).send({ preferred_avatar: 'x.svg' }).expect(200),
    ]);
    await expect(get(141)).resolves.toMatchObject({ voice_masking_enabled: false, video_quality: 'sd', preferred_avatar: 'x.svg' });
  });

  it('hands the masking preferences to other modules through forUser', async () => {
    const service = t.app.get(PreferencesService);
    await expect(service.forUser(150)).resolves.toEqual({
      voice_masking_enabled: true,
      video_masking_enabled: true,
      auto_mute_on_join: false,
      video_quality: 'hd',
      preferred_avatar: null,
    });
    await put(150, { video_masking_enabled: false, auto_mute_on_join: true, preferred_avatar: 'avatar_150.webp' });
    await expect(service.forUser(150)).resolves.toEqual({
      voice_masking_enabled: true,
      video_masking_enabled: false,
      auto_mute_on_join: true,
      video_quality: 'hd',
      preferred_avatar: 'avatar_150.webp',
    });
  });

  it('documents both routes as member-only with their bodies and errors', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const path = doc.paths['/api/calling/preferences'];
    for (const method of ['get', 'put']) {
      expect(path[method].security).toEqual([{ bearer: [] }]);
      expect(Object.keys(path[method].responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    }
    expect(Object.keys(path.put.responses)).toContain('400');
    const update = doc.components.schemas.UpdatePreferencesDto;
    expect(update.required ?? []).toEqual([]);
    expect(Object.keys(update.properties).sort()).toEqual(
      ['auto_mute_on_join', 'preferred_avatar', 'recording_consent', 'video_masking_enabled', 'video_quality', 'voice_masking_enabled'].sort(),
    );
    expect(update.properties.preferred_avatar).toMatchObject({ nullable: true, example: 'avatar_002.png' });
    expect(doc.components.schemas.PreferencesDto).toBeDefined();
    expect(doc.components.schemas.UpdatePreferencesResponseDto).toBeDefined();
  });

  it('never answers with the username or email from the token', async () => {
    expect(bodies.length).toBeGreaterThan(20);
    for (const { userId, body } of bodies) {
      const claims = ikootaClaims(userId, 'member');
      const text = JSON.stringify(body);
      expect(text).not.toContain(String(claims.username));
      expect(text).not.toContain(String(claims.email));
      expect(text).not.toMatch(/real-name-|@example\.org/);
    }
  });
});
