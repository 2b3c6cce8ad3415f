import type { Viewer } from '../auth/viewer';

/** Who acts, for the audit trail and the history; `requestId` ties both to the access log. */
export interface Acting {
  viewer: Viewer;
  requestId: string;
}
