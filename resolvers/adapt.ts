import type { RequestContext } from '../context/context';
import type { Acting } from '../domain/shared/acting';

/** Who acts in a write: the viewer (the field's @signedIn guarantees one) and the request id for the audit. */
export const acting = (ctx: RequestContext): Acting => ({ viewer: ctx.viewer!, requestId: ctx.requestId });

/** The GraphQL `Money` of integer minor units and a currency. */
export const money = (amount: number, currency: string) => ({ amount, currency });
