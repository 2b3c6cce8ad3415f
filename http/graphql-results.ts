import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { AppError } from '../errors/app-error';
import { formatAppError, headersFor, statusFor, toAppError } from '../errors/graphql-errors';
import type { Logger } from './logger';

export interface ShapedErrors {
  errors: GraphQLFormattedError[];
  status: number;
  headers: Record<string, string>;
}

/**
 * Turns the errors of one GraphQL execution into the catalog's shape, with the HTTP status and headers
 * they imply. The one implementation behind both the Apollo plugin and the direct executor.
 */
export function shapeErrors(errors: readonly GraphQLError[], hasData: boolean, requestId: string, docsBaseUrl: string, logger: Logger): ShapedErrors {
  const appErrors: AppError[] = errors.map((e) => toAppError(e, requestId));
  appErrors.forEach((appError, i) => {
    if (appError.code === 'internal_server_error') logger.error('graphql resolver failed', { requestId, error: errors[i] });
  });
  const status = statusFor(appErrors, hasData);
  return {
    errors: appErrors.map((appError, i) => formatAppError(appError, docsBaseUrl, { locations: errors[i].locations, path: errors[i].path })),
    status,
    headers: headersFor(appErrors, status),
  };
}
