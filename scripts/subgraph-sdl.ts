/**
 * Prints the subgraph SDL, exactly what `{ _service { sdl } }` answers outside production, without a
 * server or a database (for a schema registry, `rover`, or composing by hand):
 *
 *   npm run subgraph-sdl > insurance.graphql
 */
import { subgraphSdl } from '../schema/federation';
import { buildSchema } from '../schema/index';

async function main(): Promise<void> {
  process.stdout.write(await subgraphSdl(buildSchema()));
  process.stdout.write('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
