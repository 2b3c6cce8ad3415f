/** Who is calling. Built once per request by the context builder from a cookie or a bearer token. */
export type Role = 'subscriber' | 'broker' | 'backoffice' | 'machine';

export interface Viewer {
  /** User id (`usr_...`) or machine client id. */
  id: string;
  kind: Role;
  /** People only. */
  email: string | null;
  /** Machine clients only. */
  clientId: string | null;
  /** Brokers and machine clients act for one distributor. */
  distributorId: string | null;
  sessionId: string;
}
