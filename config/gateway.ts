/**
 * The GraphQL front's settings (`npm run gateway`, gateway/main.ts): everything `loadConfig` reads
 * (PORT, HOST, the database its edge authentication shares with the service, keys, proxies), plus
 * where the supergraph comes from. Same rule: a bad value throws ConfigError naming the variable.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './index';

/** One subgraph the front composes at start-up: its name in the supergraph and its GraphQL URL. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

export interface GatewayConfig extends Config {
  /** `SUBGRAPHS`: composed at start-up from each subgraph's `_service { sdl }`. */
  subgraphs: SubgraphEndpoint[] | undefined;
  /** `SUPERGRAPH_PATH`: a supergraph composed beforehand (`npm run compose`, or `rover supergraph compose`). */
  supergraphPath: string | undefined;
}

type Env = Record<string, string | undefined>;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function subgraphs(raw: string): SubgraphEndpoint[] {
  const list: SubgraphEndpoint[] = [];
  for (const pair of raw.split(/[\s,]+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const url = pair.slice(at + 1);
    let parsed: URL | undefined;
    try {
      parsed = at > 0 ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!NAME.test(name) || !parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new ConfigError(`SUBGRAPHS must list name=url pairs (insurance=http://10.0.0.2:4000/graphql crm=http://10.0.0.3:4001/graphql), got "${pair.replace(/\/\/[^@/]*@/, '//***@')}"`);
    }
    if (list.some((s) => s.name === name)) throw new ConfigError(`SUBGRAPHS names "${name}" twice`);
    list.push({ name, url });
  }
  if (!list.length) throw new ConfigError('SUBGRAPHS must list at least one name=url pair');
  return list;
}

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const base = loadConfig(env);
  const rawSubgraphs = env.SUBGRAPHS?.trim() || undefined;
  const supergraphPath = env.SUPERGRAPH_PATH || undefined;
  // Fail closed: the front must know exactly one source of truth for its routing.
  if (rawSubgraphs && supergraphPath) throw new ConfigError('SUBGRAPHS and SUPERGRAPH_PATH are exclusive: set one');
  if (!rawSubgraphs && !supergraphPath) throw new ConfigError('SUBGRAPHS (name=url pairs) or SUPERGRAPH_PATH (a composed supergraph file) must be set');
  if (supergraphPath && !existsSync(supergraphPath)) throw new ConfigError(`SUPERGRAPH_PATH: ${supergraphPath} does not exist`);
  return { ...base, subgraphs: rawSubgraphs ? subgraphs(rawSubgraphs) : undefined, supergraphPath };
}
