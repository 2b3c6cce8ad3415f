import type { Route } from './route';
import { AUTH_ROUTES } from './routes/auth';
import { COMPARTMENT_LIFECYCLE_ROUTES } from './routes/compartment-lifecycle';
import { SUBSCRIPTION_ROUTES } from './routes/subscription';

/**
 * Every legacy REST route, one file per domain in `routes/`. Variables come from path parameters, the
 * query string (routes without a body) and the body, keys turned from snake_case to camelCase; the
 * result's single root field is the response body, keys turned back to snake_case.
 */
export const ROUTES: Route[] = [...AUTH_ROUTES, ...SUBSCRIPTION_ROUTES, ...COMPARTMENT_LIFECYCLE_ROUTES];
