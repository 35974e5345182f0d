import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { ERROR_CODES } from '../src/common/exceptions/domain.exception';
import { AVATAR_FILE_NAME } from '../src/preferences/dto/update-preferences.dto';
import { AGORA_CHANNEL_NAME } from '../src/tokens/dto/create-token.dto';
import { PROJECT_ROOT } from './support/child-process';
import { fetchOpenApi, listOperations, OpenApiDocument } from './support/openapi';
import { startApp, TestApp } from './support/test-app';

const run = promisify(execFile);

type Schema = {
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  pattern?: string;
  additionalProperties?: unknown;
  items?: Schema;
  $ref?: string;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
};

/** The committed contract (README, docs/api-guide.md); `npm run openapi:write` refreshes it. */
const COMMITTED_DOCUMENT = join(PROJECT_ROOT, 'docs', 'openapi.json');

/**
 * The document in a canonical form for comparison: enum values sorted. Enums the Swagger plugin
 * reads from a union type come in the order the compiler happens to list it, which differs
 * between ts-jest and `nest build`; the values are the contract, not their order.
 */
function canonical(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonical);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, key === 'enum' && Array.isArray(value) ? [...value].sort((a, b) => String(a).localeCompare(String(b))) : canonical(value)]),
  );
}

/** Every schema object in the document, with where it is. */
function schemasIn(node: unknown, where = '#'): Array<{ where: string; schema: Schema }> {
  if (typeof node !== 'object' || node === null) return [];
  const found: Array<{ where: string; schema: Schema }> = [];
  const object = node as Record<string, unknown>;
  if ('type' in object || 'enum' in object || '$ref' in object) found.push({ where, schema: object as Schema });
  for (const [key, value] of Object.entries(object)) found.push(...schemasIn(value, `${where}/${key}`));
  return found;
}
type FullDocument = OpenApiDocument & {
  info: { license?: { name: string } };
  servers?: Array<{ url: string }>;
  components: { schemas: Record<string, Schema> };
};

/** The document as served, checked by the tools a web client's build would use. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: FullDocument;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    t = await startApp();
    doc = (await fetchOpenApi(t.http)) as FullDocument;
    dir = mkdtempSync(join(tmpdir(), 'calling-openapi-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
  });

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const property = (schema: string, name: string): Schema => {
    const found = doc.components.schemas[schema]?.properties?.[name];
    if (!found) throw new Error(`${schema}.${name} is not in the document`);
    return found;
  };

  it('has no redocly lint errors (recommended rules, offline)', async () => {
    const cli = join(PROJECT_ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const outcome = await run(process.execPath, [cli, 'lint', file, '--format=json'], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    const report = JSON.parse(outcome.stdout.slice(outcome.stdout.indexOf('{'))) as { problems: Array<{ ruleId: string; severity: string; message: string; location: unknown }> };
    const errors = report.problems.filter((problem) => problem.severity === 'error').map(({ ruleId, message, location }) => ({ ruleId, message, location }));
    expect(errors).toEqual([]);
  });

  it('is committed as docs/openapi.json (UPDATE_OPENAPI=1, or `npm run openapi:write`, refreshes it)', () => {
    // Written in canonical form (enum values sorted), so that regenerating it changes nothing
    // unless the contract changed.
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED_DOCUMENT, `${JSON.stringify(canonical(doc), null, 2)}\n`);
    const committed = JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')) as unknown;
    // On a difference: run `npm run openapi:write`, review the diff (it is the contract), commit it.
    expect(canonical(committed)).toEqual(canonical(doc));
  });

  it("keeps docs/api-guide.md's error codes and operations equal to the code table and the document", () => {
    const guide = readFileSync(join(PROJECT_ROOT, 'docs', 'api-guide.md'), 'utf8');
    const section = (name: string): string[][] => {
      const text = guide.slice(guide.indexOf(`<!-- ${name}:start -->`), guide.indexOf(`<!-- ${name}:end -->`));
      return text
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    };
    const codes = section('error-codes').map(([code, status, , retryAfter]) => [code, status, retryAfter]);
    const table = Object.entries(ERROR_CODES).map(([code, entry]) => [`\`${code}\``, String(entry.status), 'retryAfter' in entry ? 'yes' : '']);
    expect(codes).toEqual(table);
    const operations = section('operations').map(([id, route]) => `${route} ${id}`).sort();
    const documented = listOperations(doc).map((op) => `\`${op.method.toUpperCase()} ${op.path}\` \`${(op.spec as { operationId?: string }).operationId}\``).sort();
    expect(operations).toEqual(documented);
  });

  it('gives generated clients the configured base URL (PUBLIC_BASE_URL, here the default)', () => {
    expect(doc.servers).toEqual([{ url: 'http://localhost:3000', description: 'This service (PUBLIC_BASE_URL)' }]);
  });

  it('names every operation in the domain: unique, camelCase, never Nest\'s default', () => {
    const named = listOperations(doc).map((op) => ({ label: op.label, id: (op.spec as { operationId?: string }).operationId ?? '' }));
    expect(named.filter(({ id }) => !/^[a-z][A-Za-z]+$/.test(id)).map(({ label, id }) => `${label}: ${id}`)).toEqual([]);
    const ids = named.map(({ id }) => id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    // Generated clients name their functions after these: a rename is a breaking change for
    // them, and shows here. Review it as one (`npx jest test/openapi.e2e-spec.ts -u`).
    expect(Object.fromEntries(named.map(({ label, id }) => [label, id]))).toMatchSnapshot();
  });

  it('lets every nullable field be null: a nullable enum lists null', () => {
    const nullable = schemasIn(doc).filter(({ schema }) => schema.nullable === true);
    expect(nullable.length).toBeGreaterThan(20);
    const enums = nullable.filter(({ schema }) => schema.enum);
    expect(enums.map(({ where }) => where)).toEqual(expect.arrayContaining(['#/components/schemas/CallRowDto/properties/role', '#/components/schemas/AdminCallRowDto/properties/ended_by']));
    expect(enums.filter(({ schema }) => !schema.enum!.includes(null)).map(({ where }) => where)).toEqual([]);
    // `nullable` beside a $ref means nothing in OpenAPI 3.0: none may rely on it.
    expect(nullable.filter(({ schema }) => schema.$ref).map(({ where }) => where)).toEqual([]);
  });

  it('documents the refusals of the HTTP layer on every route they can reach', () => {
    const missing: string[] = [];
    for (const op of listOperations(doc)) {
      const statuses = Object.keys(op.spec.responses ?? {});
      const expected = ['500'];
      if (['post', 'put', 'patch', 'delete'].includes(op.method)) expected.push('400', '413', '415');
      // Every route is rate limited (by user, or by IP without a token) except health and Agora's webhooks.
      if (!['GET /api/health', 'POST /api/calling/webhooks/agora'].includes(op.label)) expected.push('429');
      for (const status of expected) if (!statuses.includes(status)) missing.push(`${op.label} ${status}`);
    }
    expect(missing).toEqual([]);
    const join = doc.paths['/api/calling/{callId}/join'].post.responses as Record<string, { content: { 'application/json': { examples: Record<string, unknown> } } }>;
    expect(Object.keys(join['409'].content['application/json'].examples)).toEqual(['CALL_PAUSED', 'CALL_NOT_STARTED']);
  });

  it('types the event stream\'s parameters and requires no header a browser\'s first connection lacks', () => {
    const params = (doc.paths['/api/calling/events'].get.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
    expect(params.filter((p) => p.in === 'header' && p.required).map((p) => p.name)).toEqual([]);
    expect(params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase())).toEqual(['last-event-id']);
    expect(params.filter((p) => p.schema?.type !== 'string').map((p) => p.name)).toEqual([]);
  });

  it('says what the server enforces on request bodies: no unknown fields, the avatar pattern, lengths', () => {
    const bodies = listOperations(doc).flatMap((op) => {
      const ref = (op.spec.requestBody?.content?.['application/json'] as { schema?: Schema } | undefined)?.schema?.$ref;
      return ref ? [{ label: op.label, name: ref.split('/').pop()! }] : [];
    });
    expect(bodies.length).toBeGreaterThan(10);
    // Agora's webhook body is read raw (signed bytes; Agora sends fields this service ignores).
    const open = bodies.filter(({ name }) => doc.components.schemas[name].additionalProperties !== false).map(({ label }) => label);
    expect(open).toEqual(['POST /api/calling/webhooks/agora']);
    const avatar = property('UpdatePreferencesDto', 'preferred_avatar');
    expect(avatar.pattern).toBe(AVATAR_FILE_NAME.source);
    // JSON Schema reads patterns as ECMA-262 regular expressions with the `u` flag.
    const pattern = new RegExp(avatar.pattern!, 'u');
    for (const name of ['avatar_001.png', 'Me-2.JPEG', 'x.Svg', '../a.png', 'a.png.exe', '.png', 'a b.png', 'a.gif']) expect(pattern.test(name)).toBe(AVATAR_FILE_NAME.test(name));
    expect(property('CreateCallDto', 'title')).toMatchObject({ minLength: 1, maxLength: 200 });
    const channel = new RegExp(property('CreateTokenDto', 'channelName').pattern!, 'u');
    for (const name of ['call_1672531200_abc123xyz', 'a b[c]{d}|~,', 'no/slash', 'é', 'x'.repeat(65)]) expect(channel.test(name)).toBe(AGORA_CHANNEL_NAME.test(name));
  });

  it('has a server, a license, and `security: []` on every public route', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBeTruthy();
    const unsecured = listOperations(doc).filter((op) => op.spec.security === undefined);
    expect(unsecured.map((op) => op.label)).toEqual([]);
    const open = listOperations(doc)
      .filter((op) => op.spec.security?.length === 0)
      .map((op) => op.label);
    // The event stream authenticates by its single-use ticket (never a JWT in a URL).
    expect(open).toEqual(['GET /api/calling/events', 'GET /api/health', 'POST /api/calling/webhooks/agora']);
  });

  it('types ids, counts and durations as integers', () => {
    expect(property('CallRowDto', 'id').type).toBe('integer');
    expect(property('CallRowDto', 'participant_count').type).toBe('integer');
    expect(property('RtcTokenDto', 'uid').type).toBe('integer');
    expect(property('RtcTokenDto', 'expiresAt').type).toBe('integer');
    expect(property('CreateCallDto', 'maxParticipants').type).toBe('integer');
    expect(property('InviteMembersDto', 'userIds').items?.type).toBe('integer');
    expect(property('AnalyticsSummaryDto', 'peakParticipants').type).toBe('integer');
    expect(property('ErrorDto', 'statusCode').type).toBe('integer');
    // Minutes have two decimals, and Agora's ts may carry a fraction: they stay numbers.
    expect(property('AnalyticsSummaryDto', 'totalAudioMinutes').type).toBe('number');
    const params = listOperations(doc).flatMap((op) => (op.spec.parameters ?? []).map((p) => ({ op: op.label, ...(p as { name: string; in: string; schema?: Schema }) })));
    // Path ids are integers; `:member` is an OTO# number or a user id, so a string.
    const numeric = params.filter((p) => (p.in === 'path' && p.name !== 'member') || ['limit', 'days'].includes(p.name));
    expect(numeric.length).toBeGreaterThan(0);
    expect(numeric.filter((p) => p.schema?.type !== 'integer').map((p) => `${p.op} ${p.name}`)).toEqual([]);
    // No number anywhere that is not meant to be one.
    const numbers = Object.entries(doc.components.schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => p.type === 'number' || p.items?.type === 'number')
        .map(([field]) => `${name}.${field}`),
    );
    expect(numbers.filter((name) => !/minutes/i.test(name))).toEqual(['AgoraNoticePayloadDto.ts']);
  });

  it('lists the values of status, role, media, video_quality and groupBy', () => {
    expect(property('CallRowDto', 'status').enum).toEqual(['active', 'paused', 'ended']);
    expect(property('CallRowDto', 'role').enum).toEqual(expect.arrayContaining(['host', 'participant']));
    // Enums read from a union type come in the order the compiler lists it, which varies between builds.
    const values = (schema: Schema): unknown[] => [...(schema.enum ?? [])].sort();
    expect(values(property('ActiveParticipantDto', 'media'))).toEqual(['audio', 'video']);
    expect(values(property('PreferencesDto', 'video_quality'))).toEqual(['hd', 'sd']);
    expect(values(property('UpdatePreferencesDto', 'video_quality'))).toEqual(['hd', 'sd']);
    const groupBy = listOperations(doc)
      .flatMap((op) => op.spec.parameters ?? [])
      .find((p) => p.name === 'groupBy') as { schema?: Schema } | undefined;
    expect(groupBy?.schema?.enum).toEqual(['day', 'week', 'month']);
  });

  it('documents every error response with the one ErrorDto schema and codes from the code table', () => {
    const problems: string[] = [];
    let documented = 0;
    for (const op of listOperations(doc)) {
      for (const [status, response] of Object.entries(op.spec.responses ?? {})) {
        if (Number(status) < 400 || op.label === 'GET /api/health') continue;
        documented += 1;
        const content = (response as { content?: Record<string, { schema?: Schema; examples?: Record<string, { value: { code: string; statusCode: number } }> }> }).content?.['application/json'];
        if (content?.schema?.$ref !== '#/components/schemas/ErrorDto') problems.push(`${op.label} ${status}: schema ${JSON.stringify(content?.schema)}`);
        for (const [code, example] of Object.entries(content?.examples ?? {})) {
          const entry = ERROR_CODES[code as keyof typeof ERROR_CODES];
          if (!entry || entry.status !== Number(status) || example.value.code !== code || example.value.statusCode !== Number(status)) problems.push(`${op.label} ${status}: example ${code}`);
        }
        if (Object.keys(content?.examples ?? {}).length === 0) problems.push(`${op.label} ${status}: no example`);
      }
    }
    expect(documented).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    expect(property('ErrorDto', 'code').enum).toEqual(Object.keys(ERROR_CODES));
    expect(property('ErrorDto', 'errors').type).toBe('array');
  });

  it("compiles the spec's JSON examples against types openapi-typescript generates from it", async () => {
    const cli = join(PROJECT_ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    await run(process.execPath, [cli, file, '--output', join(dir, 'openapi.d.ts')]);
    copyFileSync(join(PROJECT_ROOT, 'test', 'contract', 'spec-examples.ts'), join(dir, 'spec-examples.ts'));
    const program = ts.createProgram([join(dir, 'spec-examples.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [] });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${d.file?.fileName.replace(dir, '')}:${where ? where.line + 1 : '?'} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
  });
});
