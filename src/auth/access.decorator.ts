import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';

export const ACCESS_KEY = 'access-level';
export type AccessLevel = 'public' | 'member' | 'admin';

/** What the bearer-token check itself can answer (the caller is looked up in the database). */
const TOKEN_ERRORS = ['AUTH_MISSING_TOKEN', 'AUTH_INVALID_TOKEN', 'AUTH_TOKEN_EXPIRED', 'DATABASE_UNAVAILABLE'] as const;

/**
 * Open to anyone: no bearer token needed (health, signed webhooks). The OpenAPI document gives
 * these routes `security: []` (app.factory.ts: every operation without a security entry).
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'public');

/**
 * Members only: a valid Ikoota JWT with membership stage `pre_member` or `member`
 * (`full_member` is an alias); admins and super admins pass too. This is also what a route
 * without any access decorator gets.
 */
export const MemberAccess = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'member'), ApiBearerAuth(), ApiErrors(...TOKEN_ERRORS, 'MEMBERSHIP_REQUIRED'));

/** Admins only: role `admin` or `super_admin`. */
export const AdminAccess = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'admin'), ApiBearerAuth(), ApiErrors(...TOKEN_ERRORS, 'ADMIN_REQUIRED'));
