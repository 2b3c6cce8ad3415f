import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { parse } from 'graphql';

/** The checked-in supergraph of this service alone (`npm run compose`), for Apollo Router or a gateway. */
export const SUPERGRAPH_FILE = join('supergraph', 'supergraph.graphql');
/** Our subgraph's name in a supergraph. */
export const SUBGRAPH_NAME = 'insurance';
/** Where the checked-in supergraph routes our fields: the service's default port. A deployment composes its own. */
export const DEFAULT_ROUTING_URL = 'http://localhost:4000/graphql';

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** Composes subgraphs with `@apollo/composition`; errors and hints are returned, not thrown, for the caller to judge. */
export function composeSubgraphs(subgraphs: SubgraphSource[]): CompositionResult {
  return composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
}

/** The supergraph SDL `npm run compose` writes: our subgraph alone. Throws on a composition error. */
export function ownSupergraph(sdl: string, url = DEFAULT_ROUTING_URL): string {
  const result = composeSubgraphs([{ name: SUBGRAPH_NAME, url, sdl }]);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return `${result.supergraphSdl}\n`;
}

/** The checked-in supergraph, read from the project root (compiled code runs from dist/). */
export function readCheckedInSupergraph(root: string): string {
  return readFileSync(join(root, SUPERGRAPH_FILE), 'utf8');
}
