/** A page of rows as a Relay connection: edges with opaque cursors, their nodes, and a complete PageInfo. */
export function connection<T>(page: { rows: T[]; hasNextPage: boolean }, cursorOf: (row: T) => string, startedAfterCursor: boolean) {
  const cursors = page.rows.map(cursorOf);
  return {
    edges: page.rows.map((node, i) => ({ cursor: cursors[i]!, node })),
    nodes: page.rows,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Lists page forward only: a page that starts after a cursor has at least that row before it.
      hasPreviousPage: startedAfterCursor,
      startCursor: cursors[0] ?? null,
      endCursor: cursors.at(-1) ?? null,
    },
  };
}
