import type { Router } from 'express';

export interface RouteEntry {
  method: string;
  path: string;
}

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

/**
 * Every route an express router serves, sub-routers included, as its own
 * route table says: a route added later shows up here without anyone
 * having to list it.
 */
export function routeTable(router: Router): RouteEntry[] {
  const walk = (stack: Layer[]): RouteEntry[] =>
    stack.flatMap(layer => {
      if (layer.route) {
        const { path, methods } = layer.route;
        return Object.keys(methods)
          .filter(method => methods[method])
          .map(method => ({ method: method.toUpperCase(), path }));
      }
      return layer.handle?.stack ? walk(layer.handle.stack) : [];
    });
  return walk((router as unknown as { stack: Layer[] }).stack);
}

/** A concrete path for a route pattern: each `:param` gets a sample value. */
export function samplePath(
  pattern: string,
  values: Record<string, string>,
): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`No sample value for :${name} in ${pattern}`);
    }
    return value;
  });
}
