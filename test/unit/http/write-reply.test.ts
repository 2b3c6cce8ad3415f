import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commonHeaders, writeReply, type Reply } from '../../../http/reply';

// What goes on the wire for a reply, read back by fetch (undici) from a real node:http server.
describe('writeReply', () => {
  let server: Server;
  let next: Reply;
  let base: string;

  beforeAll(async () => {
    server = createServer((_req, res) => writeReply(res, next, commonHeaders('req_test-1')));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it('sends the common headers, the reply\'s own and the body\'s length in bytes', async () => {
    next = { status: 201, headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] }, body: '{"name":"Zoé"}' };
    const res = await fetch(base);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req_test-1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers.get('content-length')).toBe('15');
    expect(await res.text()).toBe('{"name":"Zoé"}');
  });

  it('lets a reply\'s header replace the common one of the same name, once', async () => {
    next = { status: 200, headers: { 'cache-control': 'public, max-age=300' }, body: Buffer.from('{}') };
    const res = await fetch(base);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await res.text()).toBe('{}');
  });

  it('sends no body, length nor content type with a 204', async () => {
    next = { status: 204, headers: { 'content-type': 'application/json; charset=utf-8', etag: '"3"' }, body: 'null' };
    const res = await fetch(base);
    expect(res.status).toBe(204);
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('etag')).toBe('"3"');
    expect(await res.text()).toBe('');
  });
});
