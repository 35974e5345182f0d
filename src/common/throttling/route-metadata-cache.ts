import { Reflector } from '@nestjs/core';

type Target = Parameters<Reflector['getAllAndOverride']>[1][number];

/**
 * A Reflector that remembers `getAllAndOverride` answers. Route metadata is fixed once the app
 * has started, and ThrottlerGuard asks for five keys per named limit on every request; each ask
 * is a walk through reflect-metadata's maps. Keyed by the handler, the class and the key.
 */
export class RouteMetadataCache extends Reflector {
  private readonly answers = new WeakMap<Target, Map<Target, Map<unknown, unknown>>>();

  override getAllAndOverride<T = unknown>(key: unknown, targets: Target[]): T {
    const [handler, classRef] = targets;
    if (targets.length !== 2 || typeof handler !== 'function' || typeof classRef !== 'function') {
      return super.getAllAndOverride(key as string, targets) as T;
    }
    let byClass = this.answers.get(handler);
    if (!byClass) this.answers.set(handler, (byClass = new Map()));
    let byKey = byClass.get(classRef);
    if (!byKey) byClass.set(classRef, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, super.getAllAndOverride(key as string, targets));
    return byKey.get(key) as T;
  }
}
