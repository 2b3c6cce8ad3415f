import { buildSchema } from 'graphql';
import { invert, renameKeys, restEnumValues } from '../../../rest-bridge/wire-names';

const schema = buildSchema(`
  enum Reason { client_request regulatory }
  input Inner { reasons: [Reason!], note: String }
  input Body { reason: Reason, inner: Inner, note: String }
  type Query { x(body: Body): Int }
`);
const body = schema.getQueryType()!.getFields().x.args[0].type;

describe('restEnumValues: REST spells enum values with -, GraphQL with _', () => {
  it('turns - into _ where the type says enum, at any depth, and nowhere else', () => {
    expect(restEnumValues({ reason: 'client-request', inner: { reasons: ['client-request', 'regulatory'], note: 'client-request' }, note: 'a-b' }, body)).toEqual({
      reason: 'client_request',
      inner: { reasons: ['client_request', 'regulatory'], note: 'client-request' },
      note: 'a-b',
    });
  });

  it('leaves what is not a string, and unknown keys, for GraphQL to refuse', () => {
    expect(restEnumValues({ reason: 5, other: 'x-y', inner: 'oops' }, body)).toEqual({ reason: 5, other: 'x-y', inner: 'oops' });
    expect(restEnumValues(null, body)).toBeNull();
  });
});

describe('renameKeys: a route\'s own wire names', () => {
  const names = { client_id: 'clientId', access_token: 'accessToken' };
  it('renames top-level keys both ways and passes the others', () => {
    expect(renameKeys({ client_id: 'a', scope: 'b' }, names)).toEqual({ clientId: 'a', scope: 'b' });
    expect(renameKeys({ accessToken: 't', expiresIn: 1 }, invert(names))).toEqual({ access_token: 't', expiresIn: 1 });
  });
});
