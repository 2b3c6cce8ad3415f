import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { DEMO_IDS } from '../support/ids';

/**
 * Another team's subgraph (a CRM) serving test/federation/foreign-subgraph.graphql with
 * `@apollo/subgraph`: two cases, one about alice and her policy, one about bob's policy. It can be
 * stopped and started again on the same port, as a real deployment restarts a part.
 */
const SDL = readFileSync(join(__dirname, 'foreign-subgraph.graphql'), 'utf8');

export const CRM_CASES = [
  { id: 'case-1', title: 'Address change', subscriberId: DEMO_IDS.subscribers.alice, policyId: DEMO_IDS.policies.aliceAv },
  { id: 'case-2', title: 'Beneficiary question', subscriberId: DEMO_IDS.subscribers.bob, policyId: DEMO_IDS.policies.bobAv },
];

const caseOut = (c: (typeof CRM_CASES)[number]) => ({ id: c.id, title: c.title, subscriber: { __typename: 'Subscriber', id: c.subscriberId }, policy: { __typename: 'Policy', id: c.policyId } });

const resolvers = {
  Query: { crmCases: () => CRM_CASES.map(caseOut) },
  Subscriber: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id, crmSegment: ref.id === DEMO_IDS.subscribers.alice ? 'gold' : 'standard', openCases: CRM_CASES.filter((c) => c.subscriberId === ref.id).map(caseOut) }),
  },
  Policy: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, adviserName: 'Camille Martin' }) },
};

export interface CrmSubgraph {
  url: string;
  /** Requests this subgraph received since it was created (across restarts). */
  requests: number;
  /** The headers of the last request it received. */
  lastHeaders: Record<string, string | string[] | undefined>;
  stop(): Promise<void>;
  /** Starts again on the same port. */
  start(): Promise<void>;
}

export async function startCrmSubgraph(): Promise<CrmSubgraph> {
  let port = 0;
  let server: Server | undefined;
  let apollo: ApolloServer | undefined;
  const crm: CrmSubgraph = {
    url: '',
    requests: 0,
    lastHeaders: {},
    async start() {
      apollo = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(SDL), resolvers: resolvers as never }]), plugins: [ApolloServerPluginInlineTraceDisabled()] });
      await apollo.start();
      const running = apollo;
      server = createServer((req, res) => {
        crm.requests++;
        crm.lastHeaders = req.headers;
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', async () => {
          const headers = new Map<string, string>();
          const response = await running.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: req.method ?? 'POST', headers: new HeaderMap(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), search: '', body: body ? JSON.parse(body) : undefined },
            context: async () => ({}),
          });
          for (const [k, v] of response.headers) headers.set(k, v);
          res.writeHead(response.status ?? 200, Object.fromEntries(headers));
          res.end(response.body.kind === 'complete' ? response.body.string : '');
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      crm.url = `http://127.0.0.1:${port}/graphql`;
    },
    async stop() {
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server!.closeAllConnections();
      await closing;
      await apollo!.stop();
    },
  };
  await crm.start();
  return crm;
}
