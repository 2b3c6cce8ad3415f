import type { RequestContext } from '../context/context';
import type { QueueEmailInput } from '../domain/emailing/emailing-service';
import { acting } from './adapt';

export const emailingResolvers = {
  Query: {
    emailMessage: (_: unknown, args: { id: string }, ctx: RequestContext) => ctx.services.emailing.message(ctx.viewer!, args.id),
  },
  Mutation: {
    queueEmailMessage: (_: unknown, args: { input: QueueEmailInput; idempotencyKey?: string | null }, ctx: RequestContext) =>
      ctx.services.emailing.queue(acting(ctx), args.input, args.idempotencyKey ?? null),
  },
};
