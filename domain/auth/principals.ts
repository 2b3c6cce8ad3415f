import type { Role } from './viewer';

/** A login account with what checking its password needs. */
export interface UserAccount {
  id: string;
  email: string;
  kind: Exclude<Role, 'machine'>;
  passwordHash: string;
  distributorId: string | null;
}

/** A partner's machine client with what checking its secret needs. */
export interface MachineClient {
  id: string;
  secretHash: string;
  distributorId: string;
}

/** A session with whoever holds it (a user or a machine client): everything the context needs in one read. */
export interface SessionPrincipal {
  id: string;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The certificate a machine token is bound to; null for a user's session. */
  certSerial: string | null;
  userId: string | null;
  userEmail: string | null;
  userKind: Exclude<Role, 'machine'> | null;
  userDistributorId: string | null;
  clientId: string | null;
  clientDistributorId: string | null;
}
