export interface Address {
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  country: string;
}

/** A subscriber's civil identity: what a client sends and what the profile keeps. */
export interface CivilIdentity {
  civility: 'M' | 'MME';
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  birthPlace: string;
  nationality: string;
  address: Address;
  email: string;
  phone: string;
  taxResidence: string;
}

/** A policyholder: the person a subscription is made for, sold by a distributor, maybe with a login. */
export interface Subscriber extends CivilIdentity {
  id: string;
  /** The login that owns the profile, when the subscriber has one. */
  userId: string | null;
  distributorId: string | null;
  createdAt: Date;
}

/** The person whose life a subscription insures: the subscriber, or someone else the subscriber names. */
export interface Insuree {
  id: string;
  subscriberId: string;
  sameAsSubscriber: boolean;
  civility: 'M' | 'MME';
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  birthPlace: string;
  createdAt: Date;
}
