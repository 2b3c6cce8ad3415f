/** One step of a status history, whoever's it is (subscription, compartment, surrender declaration). */
export interface StatusChange {
  at: Date;
  fromStatus: string | null;
  toStatus: string;
  actorKind: string;
  actorId: string | null;
}
