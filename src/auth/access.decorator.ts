import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

export const ACCESS_KEY = 'access-level';
export type AccessLevel = 'public' | 'member' | 'admin';

const UNAUTHORIZED = {
  description: 'Missing, malformed, expired or wrongly signed bearer token',
  schema: { example: { statusCode: 401, error: 'Unauthorized', message: 'Invalid bearer token', code: 'AUTH_INVALID_TOKEN' } },
};

/** Open to anyone: no bearer token needed (health, signed webhooks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'public');

/**
 * Members only: a valid Ikoota JWT with membership stage `pre_member` or `member`
 * (`full_member` is an alias); admins and super admins pass too. This is also what a route
 * without any access decorator gets.
 */
export const MemberAccess = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'member'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse(UNAUTHORIZED),
    ApiForbiddenResponse({
      description: 'The caller has no membership tier (pre_member or member) or is refused by the call rules',
      schema: {
        example: {
          statusCode: 403,
          error: 'Forbidden',
          message: 'A membership tier is required: pre_member or member',
          code: 'MEMBERSHIP_REQUIRED',
        },
      },
    }),
  );

/** Admins only: role `admin` or `super_admin`. */
export const AdminAccess = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'admin'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse(UNAUTHORIZED),
    ApiForbiddenResponse({
      description: 'The caller is not an admin or super admin',
      schema: { example: { statusCode: 403, error: 'Forbidden', message: 'Admin role required', code: 'ADMIN_REQUIRED' } },
    }),
  );
