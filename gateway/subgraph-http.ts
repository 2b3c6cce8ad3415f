import { Agent, request } from 'undici';

/**
 * The front's requests to its subgraphs: undici's client over pooled keep-alive connections. Node's
 * `http.request` spent a quarter of the front's time building each request and its `fetch` more still
 * (`npm run bench`, `front_graphql_me`); undici closes an idle connection before the subgraph's
 * announced keep-alive timeout, so a reused connection is not one the subgraph is closing.
 */
const dispatcher = new Agent({ keepAliveTimeout: 4_000, connections: 64 });

/** A subgraph's answer, whole: subgraph answers are small JSON documents. */
export interface SubgraphAnswer {
  status: number;
  /** Lower-case names; `set-cookie` may repeat. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function postToSubgraph(url: string, headers: Record<string, string>, body: string): Promise<SubgraphAnswer> {
  const answer = await request(url, { method: 'POST', headers, body, dispatcher });
  return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
}

/** Whether an answer is a GraphQL JSON document, whatever its status. */
export function isGraphQLJson(answer: SubgraphAnswer): boolean {
  const type = answer.headers['content-type'];
  return typeof type === 'string' && /^application\/(graphql-response\+)?json/.test(type);
}

/** Every value of a header, as an array. */
export function headerValues(answer: SubgraphAnswer, name: string): string[] {
  const value = answer.headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
