/**
 * Prints a JWT shaped like the ones Ikoota's login issues, signed HS256 with this service's
 * configured secret (JWT_SECRET from the environment or .env, else the development default),
 * for trying the API in Swagger UI or curl:
 *
 *   npm run token -- --user 42 --stage member --role admin
 *
 * Only the token goes to stdout, so `TOKEN=$(npm run --silent token -- --user 42)` works.
 */
import 'dotenv/config';
import { sign, SignOptions } from 'jsonwebtoken';
import { parseArgs } from 'node:util';
import { OTO_NUMBER_PATTERN } from '../src/auth/auth-user';
import { loadAuthConfig } from '../src/config/auth.config';
import { ConfigValidationError } from '../src/config/env';

const STAGES = ['none', 'applicant', 'pre_member', 'member', 'full_member'];
const ROLES = ['user', 'admin', 'super_admin'];
const MAX_USER_ID = 2_147_483_647;

const USAGE = `Usage: npm run token -- --user <id> [options]

Prints a bearer token for the Ikoota calling API (HS256, signed with JWT_SECRET).

Options:
  --user <id>           Ikoota user id, a positive integer (required)
  --stage <stage>       membership_stage: ${STAGES.join(', ')} (default: member)
  --role <role>         role: ${ROLES.join(', ')} (default: user)
  --converse-id <OTO#>  converse_id, e.g. OTO#K7Q2ZD (default: none; the service generates one)
  --expires <time>      lifetime: seconds, or a number with s, m, h, d or w, e.g. 30m, 7d (default: 7d)
  -h, --help            show this help

Examples:
  npm run token -- --user 42 --stage member
  npm run token -- --user 1 --stage none --role admin --expires 1h
  curl -H "Authorization: Bearer $(npm run --silent token -- --user 42)" http://localhost:3000/api/calling/my-calls`;

class UsageError extends Error {}

interface TokenRequest {
  userId: number;
  stage: string;
  role: string;
  converseId?: string;
  expiresIn: string;
}

function parse(argv: string[]): TokenRequest | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        user: { type: 'string' },
        stage: { type: 'string', default: 'member' },
        role: { type: 'string', default: 'user' },
        'converse-id': { type: 'string' },
        expires: { type: 'string', default: '7d' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';

  if (values.user === undefined) throw new UsageError('--user <id> is required');
  if (!/^\d{1,10}$/.test(values.user) || Number(values.user) < 1 || Number(values.user) > MAX_USER_ID) {
    throw new UsageError(`--user must be a positive integer up to ${MAX_USER_ID}, got "${values.user}"`);
  }
  if (!STAGES.includes(values.stage)) throw new UsageError(`--stage must be one of ${STAGES.join(', ')}, got "${values.stage}"`);
  if (!ROLES.includes(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${values.role}"`);
  const converseId = values['converse-id'];
  if (converseId !== undefined && !OTO_NUMBER_PATTERN.test(converseId)) {
    throw new UsageError(`--converse-id must be OTO# followed by 6 of A-Z and 0-9 (e.g. OTO#K7Q2ZD), got "${converseId}"`);
  }
  if (!/^[1-9]\d*[smhdw]?$/.test(values.expires)) {
    throw new UsageError(`--expires must be seconds or a number with s, m, h, d or w (e.g. 30m, 7d), got "${values.expires}"`);
  }
  return { userId: Number(values.user), stage: values.stage, role: values.role, converseId, expiresIn: values.expires };
}

function main(argv: string[]): number {
  let request: TokenRequest | 'help';
  try {
    request = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`token: ${error.message}\nRun with --help for usage.\n`);
    return 1;
  }
  if (request === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let auth;
  try {
    auth = loadAuthConfig();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }

  // The claims Ikoota's login puts in its tokens, minus username and email: this service never reads them.
  const claims: Record<string, unknown> = {
    user_id: request.userId,
    membership_stage: request.stage,
    role: request.role,
    ...(request.converseId ? { converse_id: request.converseId } : {}),
  };
  const options: SignOptions = {
    algorithm: 'HS256',
    // A plain number is seconds; jsonwebtoken reads "7d"-style strings itself.
    expiresIn: /^\d+$/.test(request.expiresIn) ? Number(request.expiresIn) : (request.expiresIn as SignOptions['expiresIn']),
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    ...(auth.audience ? { audience: auth.audience } : {}),
  };
  process.stdout.write(`${sign(claims, auth.jwtSecret, options)}\n`);
  // On stderr and on a line of its own, so `$(npm run --silent token ...)` captures only the token.
  if (auth.usingDevSecret) process.stderr.write('\ntoken: signed with the development secret; set JWT_SECRET to match the server you call\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
