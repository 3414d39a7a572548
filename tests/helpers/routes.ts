import type { Express } from 'express';

/** One layer of an Express 5 (`router` 2.x) stack, as far as this walk needs it. */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Paths of a layer: a route or `use` may be mounted at one path or several. */
function pathsOf(raw: unknown, where: string): string[] {
  const paths = Array.isArray(raw) ? raw.flat(Infinity) : [raw];
  for (const p of paths) {
    // A regular expression cannot be written as a route key; the app has none, and a new one should be noticed.
    if (typeof p !== 'string') throw new Error(`a layer ${where} is mounted at a path that is not a string`);
  }
  return paths as string[];
}

const join = (prefix: string, path: string) => (prefix + (path === '/' ? '' : path) || '/').replace(/\/{2,}/g, '/');

function walk(stack: Layer[], prefix: string, out: Set<string>) {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods)
        .filter((m) => layer.route!.methods[m])
        .map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
      for (const path of pathsOf(layer.route.path, `under ${prefix || '/'}`)) {
        for (const method of methods) out.add(`${method} ${join(prefix, path)}`);
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      // A nested router: its routes answer under the path it is mounted at (router 2.x keeps it as rawPath).
      if (layer.rawPath === undefined) throw new Error(`a router under ${prefix || '/'} has no mount path`);
      for (const mount of pathsOf(layer.rawPath, `under ${prefix || '/'}`))
        walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

/**
 * Every route the application answers, as `METHOD /path/:param`, sorted: read from
 * the routers themselves, so a route added anywhere shows up here.
 */
export function enumerateRoutes(app: Express): string[] {
  const root = (app as unknown as { router?: { stack: Layer[] } }).router;
  if (!root) throw new Error('the app has no router: is it an Express 5 app?');
  const out = new Set<string>();
  walk(root.stack, '', out);
  return [...out].sort();
}

/** Whether a concrete URL (query string ignored) is one the route pattern matches. */
export function matchesRoute(pattern: string, url: string): boolean {
  const path = url.split('?')[0]!;
  const source = pattern
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`).test(path);
}
