import type { Route } from './route';

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

interface Compiled {
  pattern: RegExp;
  params: string[];
  byMethod: Map<string, Route>;
}

/** Matches method + path against the route table; a path with other methods only is a 405. */
export class RouteMatcher {
  private readonly compiled: Compiled[] = [];
  // Paths without parameters are found by one map lookup; only the others are tried as patterns.
  private readonly literal = new Map<string, Compiled>();

  constructor(routes: readonly Route[]) {
    const byPath = new Map<string, Compiled>();
    for (const route of routes) {
      let entry = byPath.get(route.path);
      if (!entry) {
        const params: string[] = [];
        const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
          params.push(name);
          return '([^/]+)';
        });
        entry = { pattern: new RegExp(`^${source}/?$`), params, byMethod: new Map() };
        byPath.set(route.path, entry);
        this.compiled.push(entry);
      }
      if (entry.byMethod.has(route.method)) throw new Error(`duplicate route ${route.method} ${route.path}`);
      entry.byMethod.set(route.method, route);
    }
    // Literal segments beat parameters: `/ibans/default` before `/ibans/{iban}`.
    this.compiled.sort((a, b) => a.params.length - b.params.length);
    for (const [path, entry] of byPath) if (entry.params.length === 0) this.literal.set(path, entry);
  }

  match(method: string, path: string): RouteMatch {
    let allow: string[] | undefined;
    const exact = this.literal.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
    const route = exact && (exact.byMethod.get(method) ?? (method === 'HEAD' ? exact.byMethod.get('GET') : undefined));
    if (route) return { kind: 'found', route, params: {} };
    for (const entry of this.compiled) {
      const m = entry.pattern.exec(path);
      if (!m) continue;
      const route = entry.byMethod.get(method) ?? (method === 'HEAD' ? entry.byMethod.get('GET') : undefined);
      if (!route) {
        allow ??= [...entry.byMethod.keys()];
        continue;
      }
      const params: Record<string, string> = {};
      entry.params.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]);
      });
      return { kind: 'found', route, params };
    }
    return allow ? { kind: 'wrong_method', allow } : { kind: 'none' };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
