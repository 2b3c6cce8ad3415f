/** The request target split into path and query; cheaper than `new URL` on every request. */
export class RequestTarget {
  readonly pathname: string;
  readonly search: string;
  private params: URLSearchParams | undefined;

  constructor(rawUrl: string) {
    const q = rawUrl.indexOf('?');
    this.pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
    this.search = q === -1 ? '' : rawUrl.slice(q);
  }

  get searchParams(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.search));
  }
}
