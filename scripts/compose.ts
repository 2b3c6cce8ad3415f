/**
 * Composes our subgraph (the SDL `_service { sdl }` answers) into a supergraph with
 * `@apollo/composition` and writes it to supergraph/supergraph.graphql, which is checked in:
 * test/federation/composition.test.ts fails when it is not up to date with the schema.
 *
 *   npm run compose
 *
 * `SUBGRAPH_URL` changes where the supergraph routes our fields (default: the service's default port);
 * the checked-in file keeps the default. Composing beside other teams' subgraphs is the router's
 * deployment (README, Federation).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { subgraphSdl } from '../schema/federation';
import { buildSchema } from '../schema/index';
import { DEFAULT_ROUTING_URL, ownSupergraph, SUPERGRAPH_FILE } from '../schema/supergraph';

async function main(): Promise<void> {
  const supergraph = ownSupergraph(await subgraphSdl(buildSchema()), process.env.SUBGRAPH_URL || DEFAULT_ROUTING_URL);
  // dist/scripts/compose.js -> the project root
  const target = join(__dirname, '..', '..', SUPERGRAPH_FILE);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, supergraph);
  process.stdout.write(`wrote ${SUPERGRAPH_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
