import { buildSchema, type GraphQLEnumType } from 'graphql';
import { invert, renameKeys, restEnumValue, restEnumValues, wireEnumValues } from '../../../rest-bridge/wire-names';

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

describe('restEnumValue: the enums the public docs spell with -', () => {
  const documented = buildSchema(`
    enum SurrenderReason { client_request regulatory }
    enum CommissionType { inducement business_commission }
    enum EvidenceKind { iban_proof }
    type Query { x(r: SurrenderReason, c: CommissionType, e: EvidenceKind): Int }
  `);
  const arg = (name: string) => documented.getQueryType()!.getFields().x.args.find((a) => a.name === name)!.type as GraphQLEnumType;

  it('reads their - spelling and turns the _ one into a value no enum holds (a 400, as documented)', () => {
    expect(restEnumValue('client-request', arg('r'))).toBe('client_request');
    expect(restEnumValue('business-commission', arg('c'))).toBe('business_commission');
    expect(restEnumValue('client_request', arg('r'))).toBe('client-request');
    expect(restEnumValue('business_commission', arg('c'))).toBe('business-commission');
    expect(wireEnumValues(arg('c'))).toEqual(['inducement', 'business-commission']);
  });

  it('leaves our other enums as they are spelled, _ included', () => {
    expect(restEnumValue('iban_proof', arg('e'))).toBe('iban_proof');
    expect(wireEnumValues(arg('e'))).toEqual(['iban_proof']);
  });
});
