import { AppError } from '../errors/app-error';
import type { Db } from '../store/db';
import { errorReply, jsonReply, type Reply } from './reply';

/** The service and the gateway front answer these alike: the error docs pages and `/readyz`. */
export function htmlReply(page: string): Reply {
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }, body: page };
}

/** Ready when the database answers; 503 otherwise, so a balancer stops sending traffic here. */
export async function readiness(db: Db, docsBaseUrl: string): Promise<Reply> {
  try {
    await db.query('select 1');
    return jsonReply(200, { status: 'ready' });
  } catch {
    return errorReply(new AppError('service_unavailable', 'DATABASE_UNAVAILABLE'), docsBaseUrl);
  }
}
