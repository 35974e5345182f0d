import 'reflect-metadata';
import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { CreateCallDto } from '../../calls/dto/create-call.dto';
import { InviteMembersDto } from '../../calls/dto/invite-members.dto';
import { JoinCallDto } from '../../calls/dto/join-call.dto';
import { SwitchMediaDto } from '../../calls/dto/switch-media.dto';
import { ChangeRoleDto } from '../../moderation/dto/change-role.dto';
import { MuteMemberDto } from '../../moderation/dto/mute-member.dto';
import { UpdateCallDto } from '../../moderation/dto/update-call.dto';
import { UpdatePreferencesDto } from '../../preferences/dto/update-preferences.dto';
import { CreateTokenDto } from '../../tokens/dto/create-token.dto';
import { compileFastCheck } from './fast-validation';
import { StrictValidationPipe } from './strict-validation.pipe';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true, stopAtFirstError: false };
const BODY_DTOS = [CreateTokenDto, JoinCallDto, SwitchMediaDto, UpdatePreferencesDto, MuteMemberDto, ChangeRoleDto, UpdateCallDto, CreateCallDto, InviteMembersDto];

/** Values every field is tried with: right and wrong types, bounds, edge strings. */
const CANDIDATES: unknown[] = [
  undefined, null, true, false, 0, 1, -1, 2, 1.5, 500, 501, 4_294_967_295, 4_294_967_296, Number.MAX_SAFE_INTEGER, NaN,
  '', ' ', 'a', 'audio', 'video', 'publisher', 'subscriber', 'moderator', 'participant', 'host', '720p', '1080p', 'auto',
  'call_1672531200_abc123xyz', 'bad/channel', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(40), 'avatar-1.png', '1', 'true',
  [], [1], {}, { a: 1 },
];

/** A deterministic pseudo-random sequence, so a failure names a body that reproduces. */
function* bodies(fields: string[], count: number): Generator<Record<string, unknown>> {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < count; i += 1) {
    const body: Record<string, unknown> = {};
    // About half the fields are left out, and more of them in a DTO with many fields (about four
    // set), so bodies that pass stay common enough however many optional fields a DTO gains.
    const present = Math.min(0.5, 4 / fields.length);
    for (const field of fields) {
      if (next() >= present) continue;
      const value = CANDIDATES[Math.floor(next() * CANDIDATES.length)];
      if (value !== undefined) body[field] = value;
    }
    yield body;
  }
}

async function outcome(pipe: ValidationPipe, value: unknown, metatype: new () => object): Promise<{ ok: boolean; value?: unknown; error?: unknown }> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  try {
    const result = (await pipe.transform({ ...(value as object) }, metadata)) as object;
    return { ok: true, value: { class: result.constructor.name, fields: { ...result } } };
  } catch (error) {
    return { ok: false, error: (error as { getResponse?: () => unknown }).getResponse?.() ?? String(error) };
  }
}

describe('StrictValidationPipe fast path', () => {
  const full = new ValidationPipe(OPTIONS);
  const strict = new StrictValidationPipe(OPTIONS);

  it('vouches for the flat DTOs and not for those with transforms or per-item rules', () => {
    expect(compileFastCheck(CreateTokenDto)).not.toBeNull();
    expect(compileFastCheck(UpdatePreferencesDto)).not.toBeNull();
    // @Transform(trim) and { each: true } need the full pipe.
    expect(compileFastCheck(CreateCallDto)).toBeNull();
    expect(compileFastCheck(UpdateCallDto)).toBeNull();
    expect(compileFastCheck(InviteMembersDto)).toBeNull();
  });

  it.each(BODY_DTOS.map((dto) => [dto.name, dto] as const))('answers %s bodies exactly as the full ValidationPipe does', async (_name, dto) => {
    const fields = [...new Set([...Object.keys(new dto()), ...bodyFieldsOf(dto)])];
    const compare = async (body: Record<string, unknown>) => {
      const expected = await outcome(full, body, dto);
      expect({ body, ...(await outcome(strict, body, dto)) }).toEqual({ body, ...expected });
      return expected.ok;
    };
    // Random bodies first; then every body that passed, with each field in turn set to every
    // candidate (or left out) and with a property the DTO does not have: the edges of each rule.
    const accepted: Array<Record<string, unknown>> = [];
    for (const body of bodies(fields, 1500)) if ((await compare(body)) && accepted.length < 20) accepted.push(body);
    // The corpus must exercise both answers, or the comparison proves nothing.
    expect(accepted.length).toBeGreaterThan(0);
    for (const body of accepted) {
      await compare({ ...body, unexpected: 'x' });
      for (const field of fields) {
        for (const candidate of CANDIDATES) {
          const variant = { ...body, [field]: candidate };
          if (candidate === undefined) delete variant[field];
          await compare(variant);
        }
      }
    }
  });

  it('takes the fast path for a valid token body', () => {
    const check = compileFastCheck(CreateTokenDto)!;
    expect(check({ channelName: 'call_1672531200_abc123xyz', uid: 789012 })).toBe(true);
    expect(check({ channelName: 'call_1672531200_abc123xyz', uid: 0 })).toBe(false);
    expect(check({ channelName: 'call_1672531200_abc123xyz', uid: 1, extra: 1 })).toBe(false);
  });
});

/** The properties class-validator knows for a DTO (those without an initializer included). */
function bodyFieldsOf(dto: new () => object): string[] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false, undefined)
    .map((m) => m.propertyName);
}
