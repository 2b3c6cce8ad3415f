import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  type GraphQLArgument,
  type GraphQLNamedType,
} from 'graphql';
import { buildSchema, loadTypeDefs } from '../../schema/index';

// Issue 10, item 6: a schema a client generator likes. The rules of a schema linter (graphql-eslint's
// require-description, relay-connection-types...), as a walk over the built schema: a library for five
// rules would bring a lint stack with it. Only what our SDL defines is checked; Federation's own
// definitions (_Service, link__Import...) are the spec's.
const schema = buildSchema();
const document = parse(loadTypeDefs().join('\n'));
const ownTypes = new Set(document.definitions.flatMap((d) => ('name' in d && d.name && d.kind !== Kind.DIRECTIVE_DEFINITION ? [d.name.value] : [])));
const ownDirectives = document.definitions.flatMap((d) => (d.kind === Kind.DIRECTIVE_DEFINITION ? [d.name.value] : []));
const types: GraphQLNamedType[] = [...ownTypes].map((name) => schema.getType(name)!).filter(Boolean);

const blank = (text: string | null | undefined) => !text || !text.trim();

function undescribed(): string[] {
  const missing: string[] = [];
  const args = (where: string, list: readonly GraphQLArgument[]) => list.filter((a) => blank(a.description)).forEach((a) => missing.push(`${where}(${a.name}:)`));
  for (const type of types) {
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.name.startsWith('_')) continue; // Federation's _service / _entities
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        args(`${type.name}.${field.name}`, field.args);
      }
    }
    if (isInputObjectType(type)) Object.values(type.getFields()).filter((f) => blank(f.description)).forEach((f) => missing.push(`${type.name}.${f.name}`));
    if (isEnumType(type)) type.getValues().filter((v) => blank(v.description)).forEach((v) => missing.push(`${type.name}.${v.name}`));
  }
  for (const name of ownDirectives) {
    const directive = schema.getDirective(name)!;
    if (blank(directive.description)) missing.push(`@${name}`);
    args(`@${name}`, directive.args);
  }
  return missing;
}

describe('the schema, as a client generator reads it', () => {
  it('describes every type, field, argument, enum value, input field and directive', () => {
    expect(undescribed()).toEqual([]);
  });

  it('names the public spec of every custom scalar (@specifiedBy)', () => {
    const scalars = types.filter(isScalarType);
    expect(scalars.length).toBeGreaterThan(5);
    expect(scalars.filter((s) => !/^https:\/\//.test(s.specifiedByURL ?? '')).map((s) => s.name)).toEqual([]);
  });

  it('pages every connection the Relay way: edges with an opaque cursor and a node, and a complete PageInfo', () => {
    const pageInfo = schema.getType('PageInfo');
    expect(isObjectType(pageInfo) && Object.fromEntries(Object.values(pageInfo.getFields()).map((f) => [f.name, String(f.type)]))).toEqual({
      hasNextPage: 'Boolean!',
      hasPreviousPage: 'Boolean!',
      startCursor: 'String',
      endCursor: 'String',
    });
    const connections = types.filter((t) => t.name.endsWith('Connection'));
    expect(connections.length).toBeGreaterThanOrEqual(3);
    for (const connection of connections) {
      if (!isObjectType(connection)) throw new Error(`${connection.name} is not an object type`);
      const fields = connection.getFields();
      expect([connection.name, String(fields.pageInfo?.type)]).toEqual([connection.name, 'PageInfo!']);
      const edge = getNamedType(fields.edges!.type);
      if (!isObjectType(edge)) throw new Error(`${connection.name}.edges is not a list of objects`);
      expect([edge.name, String(edge.getFields().cursor?.type), Boolean(edge.getFields().node)]).toEqual([edge.name, 'String!', true]);
    }
  });

  it('types every status and kind as an enum, not a free string', () => {
    const strings: string[] = [];
    for (const type of types) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        if (/(^status$|^kind$|Status$|Kind$|Source$|Case$|^declaredBy$|^registeredBy$|^causeType$)/.test(field.name) && isScalarType(named)) strings.push(`${type.name}.${field.name}`);
      }
    }
    expect(strings).toEqual([]);
  });

  it('types every amount as Money (minor units and currency), never a bare number', () => {
    const bare: string[] = [];
    for (const type of types) {
      // The exact decimals (NAVs, numbers of shares) are `value` x 10^-`scale`, the public docs' shape.
      if (!isObjectType(type) || ['Money', 'ScaledMoney', 'ScaledNumber'].includes(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        if (/(amount|Amount|premium|Premium|value|Total)$/.test(field.name) && named.name !== 'Money') bare.push(`${type.name}.${field.name}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it('links an id to its object wherever the caller may read both', () => {
    const links: Array<[string, string, string]> = [
      ['SurrenderDeclaration', 'policy', 'Policy'],
      ['Compartment', 'policy', 'Policy'],
      ['Policy', 'subscriber', 'Subscriber'],
      ['Evidence', 'subscriber', 'Subscriber'],
      ['SupportRequest', 'subscriber', 'Subscriber'],
      ['BeneficiaryDesignation', 'policy', 'Policy'],
    ];
    for (const [typeName, field, type] of links) {
      const owner = schema.getType(typeName);
      if (!isObjectType(owner)) throw new Error(typeName);
      expect([typeName, field, String(owner.getFields()[field]?.type)]).toEqual([typeName, field, type]);
      // The id stays beside the link for older clients (and the REST bridge's selections).
      expect([typeName, `${field}Id`, getNamedType(owner.getFields()[`${field}Id`]!.type).name]).toEqual([typeName, `${field}Id`, 'ID']);
    }
  });
});
