import { type ReactNode, useState } from 'react';
import { useLoad } from '../api';
import { ProblemView } from './ProblemView';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** right-aligned (numbers, money) */
  numeric?: boolean;
}

export interface PageOf<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * A table over one of the API's cursor-paged lists: the API's opaque `nextCursor` goes forward, a
 * stack of the cursors already used goes back. `reloadKey` starts again from the first page.
 */
export function Paged<T>(props: {
  caption: string;
  columns: Column<T>[];
  load: (cursor: string | undefined) => Promise<PageOf<T>>;
  rowKey: (row: T) => string;
  reloadKey?: unknown;
  empty?: string;
}) {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => props.load(cursor), [cursor, props.reloadKey]);
  const items = page.data?.items ?? [];
  const next = page.data?.nextCursor ?? undefined;
  return (
    <div className="paged">
      <ProblemView error={page.error} />
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.header} className={c.numeric ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {!page.loading && items.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length}>{props.empty ?? 'Nothing here yet.'}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <nav className="pager" aria-label={`${props.caption} pages`}>
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => setCursors((c) => [...c, next])}>
          Next page
        </button>
      </nav>
    </div>
  );
}
