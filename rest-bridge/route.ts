/** One legacy REST path: which named GraphQL operation it runs and how HTTP maps onto it. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact legacy path with `{param}` placeholders. */
  path: string;
  /** Named operation in `rest-bridge/operations/*.graphql`. */
  operation: string;
  /** `required`: no credentials -> 401 before anything else about the request is looked at. */
  auth: 'public' | 'required';
  /** Status on success; 204 sends no body. */
  status: 200 | 201 | 202 | 204;
  /** Accepted body media types; none means the route takes no body. */
  body?: Array<'json' | 'form'>;
  /** Put the body under this variable instead of spreading its keys into the variables. */
  bodyVariable?: string;
  /**
   * Wire name -> GraphQL name, for the top-level body keys and response keys of a route whose public
   * contract spells them otherwise (OAuth 2.0: `client_id`, `access_token`). Every other route uses
   * the GraphQL names as they are.
   */
  wireNames?: Readonly<Record<string, string>>;
  /**
   * The result is a file (`{fileName, contentType, contentBase64}`): sent as bytes with Content-Disposition.
   * `contentTypes`: the media types it can be, for OpenAPI.
   */
  file?: { contentTypes: string[] };
  /**
   * Content negotiation into a variable: the `Accept` media type (highest q first) picked from `map`
   * sets variable `name`, unless the query string already set it (`?format=csv` wins over `Accept`).
   * Nothing matches (a wildcard, no header): the variable stays unset and the operation's default applies.
   */
  acceptVariable?: { name: string; map: Record<string, string> };
  /** A larger body limit than the server's default (uploads). */
  maxBodyBytes?: number;
  /**
   * The route reads the idempotency key itself, into this variable (the header's value, null without
   * one), instead of the generic replay of http/idempotency.ts: its documented rules differ (a key
   * already used is refused with 409, and a blank key has the route's own code).
   */
  idempotencyKeyVariable?: string;
  /** Variables the path implies (`{ action: 'suspend' }` for `.../suspend`). */
  constants?: Record<string, unknown>;
  /** OpenAPI tag: the domain the route belongs to. */
  tag: string;
  /** One line for OpenAPI. */
  summary: string;
  /** Send the result's integer version field as a strong `ETag: "<version>"` (optimistic concurrency). */
  etag?: { versionField: string };
  /** The operation may refuse with 429 and Retry-After (login attempts, one-time codes). */
  rateLimited?: true;
  /** Pass the version named by `If-Match: "<version>"` as this variable; 428 when the header is missing. */
  ifMatch?: { variable: string; required: true };
}
