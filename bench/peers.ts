/**
 * The bench's peers (issue 15 item 1): the same `me` with the same token check, written as each stack's
 * users write it, in one process started by bench/run.ts (one peer is under load at a time).
 *
 *   APOLLO_PORT     stock Apollo Server 5, `startStandaloneServer`, a context function that verifies the
 *                   ES256 access token with jose and reads the session from the database on every request
 *   MERCURIUS_PORT  Mercurius on Fastify with graphql-jit (`jit: 1`), the same context function
 *   BARE_PORT       bare node:http doing what our service does for GET /v1/auth/me, round trip for round
 *                   trip: the token verified once and remembered, the session read once (the SQL of
 *                   store/auth-store.ts) and remembered, a 401 envelope without credentials; after the
 *                   same check, the reads of a policy with its positions (bench/bare-policy.ts) and the
 *                   statements of a partial surrender declaration in one transaction (bare-surrender.ts)
 *   BARE_FRONT_PORT a bare front (bench/bare-front.ts) passing POST /graphql on to SERVICE_URL, our service
 *   LOGIN_PORT      on PGlite only (one process per database): our service on this process's own fresh
 *                   database, for logging in and for the keys; on PostgreSQL (DATABASE_URL) the peers
 *                   share the service's database and ISSUER_URL names the service
 *
 * The database is reached through store/ (pg's Pool, or PGlite), the statement text is the service's.
 */
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import Fastify from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { seedDemoData, seedDemoPortfolio } from '../domain/demo/demo-data';
import { systemClock } from '../domain/shared/clock';
import { stopOnSignals } from '../http/lifecycle';
import { DemoStore } from '../store/demo-store';
import { openDatabase } from '../store/open';
import { declareSurrender, isSurrenderDeclaration } from './bare-surrender';
import { seedSurrenderPolicies } from './surrender-write';
import { barePolicyRead, policyReadId } from './bare-policy';
import { bareFront } from './bare-front';

const SESSION_SQL = `
  select s.id, s.expires_at, s.revoked_at, s.cert_serial,
         u.id as user_id, u.email as user_email, u.kind as user_kind, u.distributor_id as user_distributor_id,
         c.id as client_id, c.distributor_id as client_distributor_id
    from sessions s
    left join users u on u.id = s.user_id
    left join machine_clients c on c.id = s.client_id
   where s.id = $1`;

interface SessionRow {
  id: string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  user_id: string | null;
  user_email: string | null;
  user_kind: string | null;
}
interface Viewer {
  id: string;
  email: string | null;
  kind: string | null;
}

const typeDefs = `type Viewer { id: ID! kind: String email: String }
type Query { me: Viewer }`;
const resolvers = { Query: { me: (_: unknown, __: unknown, ctx: { viewer: Viewer | null }) => ctx.viewer } };

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let issuerUrl = process.env.ISSUER_URL;
  let close = async () => db.close();
  if (!config.databaseUrl) {
    await seedDemoData(db, new DemoStore(db), systemClock);
    await seedDemoPortfolio(db, systemClock);
    // The surrender scenario's policies, in this process's own database (on PostgreSQL run.ts seeds them).
    await seedSurrenderPolicies(db, 'bare');
    const app = await createApp({ config: { ...config, port: Number(process.env.LOGIN_PORT) }, db });
    issuerUrl = await app.listen();
    close = async () => {
      await app.close();
      await db.close();
    };
  }
  if (!issuerUrl) throw new Error('ISSUER_URL is needed on PostgreSQL');
  const jwks = createLocalJWKSet(await (await fetch(`${issuerUrl}/.well-known/jwks.json`)).json());
  const verify = async (token: string): Promise<JWTPayload> =>
    (await jwtVerify(token, jwks, { algorithms: ['ES256'], typ: 'at+jwt', issuer: config.issuer, audience: config.audience, requiredClaims: ['sub', 'sid', 'exp'] })).payload;
  const viewerOf = (row: SessionRow | undefined): Viewer | null =>
    row && row.revoked_at === null && new Date(row.expires_at) > new Date() && row.user_id ? { id: row.user_id, email: row.user_email, kind: row.user_kind } : null;

  // As Apollo's and Mercurius's users write it: verify, then read the session, on every request.
  const context = async (authorization: string | undefined): Promise<{ viewer: Viewer | null }> => {
    if (!authorization?.startsWith('Bearer ')) return { viewer: null };
    try {
      const claims = await verify(authorization.slice(7));
      const [row] = await db.query<SessionRow>(SESSION_SQL, [claims.sid]);
      return { viewer: viewerOf(row) };
    } catch {
      return { viewer: null };
    }
  };

  const apollo = new ApolloServer<{ viewer: Viewer | null }>({ typeDefs, resolvers });
  await startStandaloneServer(apollo, { listen: { port: Number(process.env.APOLLO_PORT), host: config.host }, context: ({ req }) => context(req.headers.authorization) });

  const fastify = Fastify();
  await fastify.register(mercurius, { schema: typeDefs, resolvers: resolvers as unknown as IResolvers, jit: 1, context: (req) => context(req.headers.authorization) });
  await fastify.listen({ port: Number(process.env.MERCURIUS_PORT), host: config.host });

  // Our service's round trips for GET /v1/auth/me: none once the token and the session are known.
  const verified = new Map<string, JWTPayload>();
  const sessions = new Map<string, SessionRow | undefined>();
  const unauthorized = Buffer.from(JSON.stringify({ errors: [{ code: 'unauthorized', message: 'NO_SESSION', doc_url: `${issuerUrl}/docs/errors/unauthorized` }] }));
  const bare = createServer((req, res) => {
    void (async () => {
      const authorization = req.headers.authorization;
      let viewer: Viewer | null = null;
      if (authorization?.startsWith('Bearer ')) {
        const token = authorization.slice(7);
        try {
          let claims = verified.get(token);
          if (!claims) verified.set(token, (claims = await verify(token)));
          const sid = String(claims.sid);
          if (!sessions.has(sid)) sessions.set(sid, (await db.query<SessionRow>(SESSION_SQL, [sid]))[0]);
          viewer = viewerOf(sessions.get(sid));
        } catch {
          viewer = null;
        }
      }
      if (viewer && isSurrenderDeclaration(req)) {
        await declareSurrender(db, { userId: viewer.id, kind: viewer.kind ?? 'subscriber' }, req, res);
        return;
      }
      if (!viewer) {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer', 'content-length': unauthorized.length });
        res.end(unauthorized);
        return;
      }
      const policyId = policyReadId(req.url);
      const body = policyId === undefined ? JSON.stringify(viewer) : await barePolicyRead(db, viewer, policyId);
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': 2 });
        res.end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((done) => bare.listen(Number(process.env.BARE_PORT), config.host, done));
  const front = bareFront(`${process.env.SERVICE_URL}/graphql`);
  await new Promise<void>((done) => front.listen(Number(process.env.BARE_FRONT_PORT), config.host, done));
  process.stdout.write('bench peers ready\n');

  stopOnSignals(async () => {
    for (const server of [bare, front]) {
      server.closeAllConnections();
      server.close();
    }
    await fastify.close();
    await apollo.stop();
    await close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench peers failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
