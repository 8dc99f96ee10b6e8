// The results as a virtualised table (TanStack Table v9 + TanStack Virtual): only the
// rows in view are in the DOM, so 100,000 rows scroll as smoothly as 50. Sorting
// sorts the loaded rows (not the provider's order); a row opens its JSON.
import {
  createColumnHelper,
  createSortedRowModel,
  rowSortingFeature,
  columnVisibilityFeature,
  sortFn_alphanumeric,
  tableFeatures,
  useTable,
  type ColumnDef,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { ScimResource } from '../../scim/list-response';
import { formatValue, type ResultColumn } from '../../scim/values';

/* eslint-disable @typescript-eslint/no-explicit-any -- column values differ per column; TanStack's ColumnDef needs one type for the list */

const features = tableFeatures({
  rowSortingFeature,
  columnVisibilityFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric },
});

const helper = createColumnHelper<typeof features, ScimResource>();
const ROW_HEIGHT = 37;

export interface ResultsTableProps {
  rows: ScimResource[];
  columns: ResultColumn[];
  visibility: Record<string, boolean>;
  onOpenRow: (row: ScimResource, index: number) => void;
  height?: string;
}

export function ResultsTable({
  rows,
  columns,
  visibility,
  onOpenRow,
  height = '60vh',
}: ResultsTableProps) {
  const columnDefs = useMemo(
    (): ColumnDef<typeof features, ScimResource, any>[] =>
      columns.map((c) =>
        helper.accessor((r: ScimResource) => formatValue(c.get(r)), {
          id: c.id,
          header: c.header,
          sortFn: 'alphanumeric',
          cell: (info) => {
            const text = info.getValue();
            return text.length > 160 ? <span title={text}>{text.slice(0, 160)}…</span> : text;
          },
        }),
      ),
    [columns],
  );

  const table = useTable({
    features,
    columns: columnDefs,
    data: rows,
    state: { columnVisibility: visibility },
    getRowId: (row, index) => (typeof row.id === 'string' ? `${row.id}#${index}` : String(index)),
  });

  const scroller = useRef<HTMLDivElement>(null);
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom =
    items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const visibleCount = table.getVisibleLeafColumns().length;

  return (
    <div
      ref={scroller}
      className="table-responsive border rounded results-scroller"
      style={{ maxHeight: height, overflow: 'auto' }}
      tabIndex={0}
      role="region"
      aria-label={`Results table, ${rows.length} rows`}
    >
      <table className="table table-sm table-hover mb-0 align-middle results-table">
        <thead className="sticky-top">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={
                      sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'
                    }
                    className="text-nowrap"
                  >
                    <button
                      type="button"
                      className="btn btn-link btn-sm p-0 text-reset text-decoration-none fw-semibold"
                      onClick={header.column.getToggleSortingHandler()}
                      title="Sort the loaded rows"
                    >
                      <table.FlexRender header={header} />
                      {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={visibleCount} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((vi) => {
            const row = tableRows[vi.index]!;
            return (
              <tr
                key={row.id}
                tabIndex={0}
                style={{ height: ROW_HEIGHT, cursor: 'pointer' }}
                onClick={() => onOpenRow(row.original, vi.index)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onOpenRow(row.original, vi.index);
                  }
                }}
                aria-label={`Row ${vi.index + 1}: open details`}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="text-truncate" style={{ maxWidth: '28rem' }}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={visibleCount} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
