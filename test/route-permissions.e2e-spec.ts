import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
// Not re-exported by the package index; the guard reads exactly these keys.
import { THROTTLER_LIMIT, THROTTLER_SKIP, THROTTLER_TTL } from '@nestjs/throttler/dist/throttler.constants';
import { API_PREFIX, UNPREFIXED_ROUTES } from '../src/app.factory';
import { ACCESS_KEY, AccessLevel } from '../src/auth/access.decorator';
import { RATE_LIMIT_KEY, RATE_LIMITS } from '../src/common/throttling/rate-limit';
import { fetchOpenApi, listOperations } from './support/openapi';
import { startApp, TestApp } from './support/test-app';

/**
 * Every route with its access level, named rate limit and throttling: a change to this list
 * is a permission change and reads as one in review.
 */

interface RoutePermission {
  method: string;
  path: string;
  /** What the global AccessGuard enforces: @Public, @MemberAccess (the default) or @AdminAccess. */
  access: AccessLevel;
  /** The named limit from @RateLimit, counted on top of the default per-user limit. */
  rateLimit: string;
  /** Throttlers switched off by @SkipThrottle (empty: every applicable limit counts). */
  skipThrottle: string[];
  /** Limits replaced by @Throttle, if any. */
  throttleOverrides?: Record<string, { limit: unknown; ttl: unknown }>;
}

const THROTTLER_NAMES = ['default', ...Object.keys(RATE_LIMITS)];

function joinPath(...parts: string[]): string {
  const path = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${path}`;
}

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

/** Reads the route table from Nest's own metadata, as the router and guards see it. */
function routePermissions(t: TestApp): RoutePermission[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const routes: RoutePermission[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller || !wrapper.instance) continue;
    const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (requestMethod === undefined) continue;
      // The guard's own rule: the method's decorator wins over the class's; no decorator means member.
      const access =
        (Reflect.getMetadata(ACCESS_KEY, handler) as AccessLevel | undefined) ??
        (Reflect.getMetadata(ACCESS_KEY, controller) as AccessLevel | undefined) ??
        'member';
      const skipThrottle = THROTTLER_NAMES.filter(
        (throttler) => (Reflect.getMetadata(THROTTLER_SKIP + throttler, handler) ?? Reflect.getMetadata(THROTTLER_SKIP + throttler, controller)) === true,
      );
      const overrides: Record<string, { limit: unknown; ttl: unknown }> = {};
      for (const throttler of THROTTLER_NAMES) {
        const limit = Reflect.getMetadata(THROTTLER_LIMIT + throttler, handler) ?? Reflect.getMetadata(THROTTLER_LIMIT + throttler, controller);
        const ttl = Reflect.getMetadata(THROTTLER_TTL + throttler, handler) ?? Reflect.getMetadata(THROTTLER_TTL + throttler, controller);
        if (limit !== undefined || ttl !== undefined) overrides[throttler] = { limit, ttl };
      }
      for (const controllerPath of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
        for (const methodPath of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
          routes.push({
            method: RequestMethod[requestMethod],
            path: joinPath(UNPREFIXED_ROUTES.includes(joinPath(controllerPath, methodPath).slice(1)) ? '' : API_PREFIX, controllerPath, methodPath),
            access,
            rateLimit: (Reflect.getMetadata(RATE_LIMIT_KEY, handler) as string | undefined) ?? 'default',
            skipThrottle,
            ...(Object.keys(overrides).length > 0 ? { throttleOverrides: overrides } : {}),
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

describe('route permissions', () => {
  let t: TestApp;
  let routes: RoutePermission[];

  beforeAll(async () => {
    t = await startApp();
    routes = routePermissions(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists every route with its access, rate limit and throttling (snapshot)', () => {
    expect(routes).toContainEqual({ method: 'GET', path: '/api/health', access: 'public', rateLimit: 'default', skipThrottle: ['default'] });
    expect(routes).toMatchSnapshot();
  });

  it('has no two handlers on one method and path', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it('puts every /admin/ route behind the admin role, and only those', () => {
    const wrong = routes.filter((r) => /\/admin(\/|$)/.test(r.path) !== (r.access === 'admin')).map((r) => `${r.method} ${r.path} (${r.access})`);
    expect(wrong).toEqual([]);
  });

  it('names only rate limits that exist', () => {
    const unknown = routes.filter((r) => r.rateLimit !== 'default' && !(r.rateLimit in RATE_LIMITS));
    expect(unknown).toEqual([]);
  });

  it('documents every route, with a bearer requirement exactly when the guard asks for a token', async () => {
    const documented = new Map(
      listOperations(await fetchOpenApi(t.http)).map((op) => [`${op.method.toUpperCase()} ${op.path}`, op.secured]),
    );
    // /metrics is for operators (Prometheus text, its own token), not part of the documented API.
    const apiRoutes = routes.filter((r) => r.path.startsWith(`/${API_PREFIX}/`));
    expect(routes.filter((r) => !apiRoutes.includes(r)).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /metrics']);
    const actual = apiRoutes.map((r) => ({ route: `${r.method} ${r.path}`, secured: r.access !== 'public' }));
    const inDocs = apiRoutes.map((r) => {
      const key = `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`;
      return { route: `${r.method} ${r.path}`, secured: documented.get(key) };
    });
    expect(inDocs).toEqual(actual);
  });
});
