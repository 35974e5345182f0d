import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { DomainException } from '../common/exceptions/domain.exception';
import { authConfig } from '../config/auth.config';
import { ACCESS_KEY, AccessLevel } from './access.decorator';
import { AuthUser } from './auth-user';
import { readIkootaClaims } from './jwt-claims';
import { UsersService } from './users.service';
import { VerifiedTokens } from './verified-tokens';

export type AuthenticatedRequest = FastifyRequest & { user?: AuthUser };

/**
 * The one global guard for identity and access. Every route needs a valid Ikoota JWT and a
 * membership tier unless it says `@Public()`; routes marked `@AdminAccess()` need an admin role.
 *
 * Tokens are verified by JwtService as configured in AuthModule: HS256 only, against the
 * secret held as a KeyObject. The payload must be a JSON object with an `exp` claim (unless
 * JWT_REQUIRE_EXP=false) and a usable user id.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly levels = new Map<unknown, AccessLevel>();
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.levelOf(context);
    if (level === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const user = await this.authenticate(request.headers.authorization);
    request.user = user;
    if (level === 'admin') {
      if (!user.isAdmin) throw new DomainException('ADMIN_REQUIRED', 'Admin role required');
    } else if (!user.isMember && !user.isAdmin) {
      throw new DomainException('MEMBERSHIP_REQUIRED', 'A membership tier is required: pre_member or member');
    }
    return true;
  }

  private levelOf(context: ExecutionContext): AccessLevel {
    const handler = context.getHandler();
    let level = this.levels.get(handler);
    if (!level) {
      level = this.reflector.getAllAndOverride<AccessLevel>(ACCESS_KEY, [handler, context.getClass()]) ?? 'member';
      this.levels.set(handler, level);
    }
    return level;
  }

  private async authenticate(header: string | undefined): Promise<AuthUser> {
    if (!header) throw new DomainException('AUTH_MISSING_TOKEN', 'Authorization header with a Bearer token is required');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new DomainException('AUTH_INVALID_TOKEN', 'Authorization header must be "Bearer <token>"');
    const known = this.verified.get(match[1]);
    if (known) return this.users.resolve(known);
    let payload: unknown;
    try {
      payload = this.jwt.verify<Record<string, unknown>>(match[1]);
    } catch (error) {
      if (error instanceof TokenExpiredError) throw new DomainException('AUTH_TOKEN_EXPIRED', 'Bearer token has expired');
      // Not only JsonWebTokenError: jsonwebtoken lets a payload that is not a JSON object escape
      // as the SyntaxError of its JSON.parse (a `typ: JWT` header) or as a TypeError from reading
      // claims off `null` (after the signature checked out). Each is a token this service cannot
      // accept, and verifying touches nothing but the token and the key already in memory.
      throw new DomainException('AUTH_INVALID_TOKEN', 'Invalid bearer token');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new DomainException('AUTH_INVALID_TOKEN', 'Bearer token payload is not a JSON object');
    }
    const fields = payload as Record<string, unknown>;
    // jsonwebtoken checks `exp` only when there is one; without it a token never expires.
    if (this.auth.requireExp && fields.exp === undefined) throw new DomainException('AUTH_INVALID_TOKEN', 'Bearer token has no expiry');
    const claims = readIkootaClaims(fields);
    if (!claims) throw new DomainException('AUTH_INVALID_TOKEN', 'Bearer token carries no valid user id');
    this.verified.set(match[1], claims, fields.exp);
    return this.users.resolve(claims);
  }
}
