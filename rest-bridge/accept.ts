import type { IncomingMessage } from 'node:http';
import type { Route } from './route';

/**
 * Route option `acceptVariable`: the media type the client prefers among `map`'s keys, turned into the
 * variable's value. A value the query string already set is kept (an explicit `?format=` wins), and an
 * `Accept` naming none of the keys (or a wildcard only) leaves the variable to its default.
 */
export function applyAcceptVariable(route: Route, req: IncomingMessage, variables: Record<string, unknown>): void {
  const option = route.acceptVariable;
  if (!option || variables[option.name] !== undefined) return;
  const chosen = preferredMediaType(req.headers.accept, Object.keys(option.map));
  if (chosen !== undefined) variables[option.name] = option.map[chosen];
}

/** RFC 9110 12.5.1, for exact media types: the acceptable one with the highest q, ties by header order. */
export function preferredMediaType(accept: string | undefined, offered: readonly string[]): string | undefined {
  if (!accept) return undefined;
  let best: { type: string; q: number } | undefined;
  for (const range of accept.split(',')) {
    const [rawType, ...params] = range.split(';');
    const type = rawType.trim().toLowerCase();
    if (!offered.includes(type)) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    if (!best || q > best.q) best = { type, q };
  }
  return best?.type;
}
