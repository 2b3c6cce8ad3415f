import { ConfigError } from '../../../config';
import { loadGatewayConfig } from '../../../config/gateway';

describe('loadGatewayConfig (npm run gateway)', () => {
  it('reads SUBGRAPHS as name=url pairs, beside the usual settings', () => {
    const config = loadGatewayConfig({ PORT: '4100', SUBGRAPHS: 'insurance=http://10.0.0.2:4000/graphql, crm=https://crm.internal/graphql' });
    expect(config.port).toBe(4100);
    expect(config.subgraphs).toEqual([
      { name: 'insurance', url: 'http://10.0.0.2:4000/graphql' },
      { name: 'crm', url: 'https://crm.internal/graphql' },
    ]);
    expect(config.supergraphPath).toBeUndefined();
  });

  it('reads SUPERGRAPH_PATH when the file exists', () => {
    expect(loadGatewayConfig({ SUPERGRAPH_PATH: __filename }).supergraphPath).toBe(__filename);
  });

  it.each([
    [{}, /^SUBGRAPHS \(name=url pairs\) or SUPERGRAPH_PATH/],
    [{ SUBGRAPHS: 'insurance=http://a/graphql', SUPERGRAPH_PATH: __filename }, /^SUBGRAPHS and SUPERGRAPH_PATH are exclusive/],
    [{ SUBGRAPHS: 'insurance' }, /^SUBGRAPHS must list name=url pairs .*got "insurance"$/],
    [{ SUBGRAPHS: 'insurance=ftp://a/graphql' }, /^SUBGRAPHS must list name=url pairs/],
    [{ SUBGRAPHS: 'a=http://x/graphql a=http://y/graphql' }, /^SUBGRAPHS names "a" twice$/],
    [{ SUBGRAPHS: 'insurance=http://user:secret@db/graphql x' }, /got "x"$/],
    [{ SUPERGRAPH_PATH: '/nowhere/supergraph.graphql' }, /^SUPERGRAPH_PATH: \/nowhere\/supergraph.graphql does not exist$/],
    [{ SUBGRAPHS: 'insurance=http://a/graphql', PORT: 'x' }, /^PORT /],
  ])('fails closed with one line naming the variable: %j', (env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('never echoes a password from a URL', () => {
    expect(() => loadGatewayConfig({ SUBGRAPHS: '1bad=http://user:secret@host/graphql' })).toThrow(/\/\/\*\*\*@host/);
  });
});
