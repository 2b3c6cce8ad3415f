import type { Queryable } from '../../store/db';
import type { CatalogueStore } from '../../store/catalogue-store';
import type { Product } from './catalogue';

/** How long a read of the catalogue is served from memory: products change with a release, not a request. */
const CATALOGUE_TTL_MS = 60_000;

/**
 * The product catalogue as the services read it: the whole list from memory for what is shown (a
 * policy's product and currency on every policy read would otherwise cost a round trip each), one
 * product from the database, in the caller's transaction, for a money decision.
 */
export class ProductCatalogue {
  private cache: { rows: Promise<Product[]>; until: number } | undefined;

  constructor(private readonly store: Pick<CatalogueStore, 'products' | 'product'>) {}

  /**
   * Every product, read at most once a minute per process. A caller inside a transaction passes it: the
   * read (when one is due) must not wait for a connection the transaction holds (PGlite has one). Such a
   * read is that caller's alone until it has succeeded: others never wait on, or fail with, its transaction.
   */
  products(tx?: Queryable): Promise<Product[]> {
    const now = Date.now();
    if (this.cache && this.cache.until > now) return this.cache.rows;
    const rows = this.store.products(tx);
    const cache = { rows, until: now + CATALOGUE_TTL_MS };
    if (tx === undefined) this.cache = cache;
    // An empty catalogue (a database not seeded yet) or a failed read is not remembered.
    rows.then(
      (list) => {
        if (list.length > 0 && tx !== undefined) this.cache = { rows: Promise.resolve(list), until: cache.until };
        else if (list.length === 0 && this.cache === cache) this.cache = undefined;
      },
      () => {
        if (this.cache === cache) this.cache = undefined;
      },
    );
    return rows;
  }

  /** One product from memory; a product not there yet (just added) sends the list to be read again. */
  async known(id: string, tx?: Queryable): Promise<Product | undefined> {
    const found = (await this.products(tx)).find((p) => p.id === id);
    if (found) return found;
    this.cache = undefined;
    return (await this.products(tx)).find((p) => p.id === id);
  }

  /** One product as the database holds it now, read in `tx` when a decision depends on its amounts (fees). */
  product(id: string, tx?: Queryable): Promise<Product | undefined> {
    return this.store.product(id, tx);
  }
}
