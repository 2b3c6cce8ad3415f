import { join } from 'node:path';
import { built, runScript } from '../support/main-process';

// `npm run gateway` fails closed on a bad setting: one line naming the variable, exit 1.
(built ? describe : describe.skip)('npm run gateway (dist/gateway/main.js) start-up', () => {
  it.each([
    [{}, 'configuration error: SUBGRAPHS (name=url pairs) or SUPERGRAPH_PATH (a composed supergraph file) must be set'],
    [{ SUBGRAPHS: 'insurance' }, 'configuration error: SUBGRAPHS must list name=url pairs'],
    [{ SUPERGRAPH_PATH: join(__dirname, 'missing.graphql') }, 'configuration error: SUPERGRAPH_PATH:'],
  ])('%j', (env, line) => {
    const result = runScript(join('gateway', 'main.js'), { SUBGRAPHS: '', SUPERGRAPH_PATH: '', ...env });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(line)]);
  });
});
