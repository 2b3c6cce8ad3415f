import { DATABASES } from './databases';
import { call } from './http';
import { startTestServer } from './server';

export type Doc = Record<string, any>;

/** A `$ref` of the document resolved to what it names; anything else as it is. */
export const deref = (doc: Doc, node: Doc): Doc => (typeof node.$ref === 'string' ? node.$ref.slice(2).split('/').reduce((at: Doc, key: string) => at[key], doc) : node);

/** GET /v1/openapi.json as the server serves it (it does not depend on the database). */
export async function servedOpenApi(): Promise<Doc> {
  const server = await startTestServer(DATABASES[0], { demoData: false });
  try {
    const answer = await call(`${server.url}/v1/openapi.json`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    return answer.json;
  } finally {
    await server.close();
  }
}
