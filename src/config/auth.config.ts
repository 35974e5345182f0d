import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';
import { assertConfig, checkEnv, isProduction, toBool } from './env';

/** Used outside production only, so a fresh checkout runs without a secret; production refuses it. */
export const DEV_JWT_SECRET = 'ikoota-calling-dev-secret-change-me';

class AuthEnv {
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters long' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'JWT_REQUIRE_EXP must be true or false' })
  JWT_REQUIRE_EXP?: boolean;
}

export interface AuthConfig {
  jwtSecret: string;
  usingDevSecret: boolean;
  issuer?: string;
  audience?: string;
  /** Refuse tokens without an `exp` claim; otherwise such a token is valid forever. */
  requireExp: boolean;
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const { values: v, problems } = checkEnv(AuthEnv, env);
  if (isProduction(env)) {
    if (!v.JWT_SECRET) problems.push('JWT_SECRET is required when NODE_ENV=production');
    else if (v.JWT_SECRET === DEV_JWT_SECRET) problems.push('JWT_SECRET must not be the development default when NODE_ENV=production');
  }
  assertConfig(problems);
  return {
    jwtSecret: v.JWT_SECRET ?? DEV_JWT_SECRET,
    usingDevSecret: !v.JWT_SECRET || v.JWT_SECRET === DEV_JWT_SECRET,
    issuer: v.JWT_ISSUER,
    audience: v.JWT_AUDIENCE,
    requireExp: v.JWT_REQUIRE_EXP ?? true,
  };
}

export const authConfig = registerAs('auth', () => loadAuthConfig());
