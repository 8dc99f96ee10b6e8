// Show or hide columns, and add columns for attributes found in the data.
import { Dropdown, Form } from 'react-bootstrap';
import type { ResultColumn } from '../../scim/values';

export function ColumnChooser({
  columns,
  visibility,
  onToggle,
  extraPaths,
  onAddPath,
}: {
  columns: ResultColumn[];
  visibility: Record<string, boolean>;
  onToggle: (id: string, visible: boolean) => void;
  extraPaths: string[];
  onAddPath: (path: string) => void;
}) {
  return (
    <Dropdown autoClose="outside">
      <Dropdown.Toggle size="sm" variant="outline-secondary" id="column-chooser">
        <i className="bi bi-layout-three-columns me-1" aria-hidden="true" />
        Columns
      </Dropdown.Toggle>
      <Dropdown.Menu style={{ maxHeight: '60vh', overflowY: 'auto', minWidth: '16rem' }}>
        <Dropdown.Header>Shown columns</Dropdown.Header>
        {columns.map((c) => (
          <div key={c.id} className="px-3 py-1">
            <Form.Check
              id={`col-${c.id}`}
              label={c.header}
              checked={visibility[c.id] !== false}
              onChange={(e) => onToggle(c.id, e.target.checked)}
            />
          </div>
        ))}
        {extraPaths.length > 0 && (
          <>
            <Dropdown.Divider />
            <Dropdown.Header>Add a column from the data</Dropdown.Header>
            {extraPaths.map((p) => (
              <Dropdown.Item
                key={p}
                as="button"
                onClick={() => onAddPath(p)}
                className="small text-break"
              >
                + {p}
              </Dropdown.Item>
            ))}
          </>
        )}
      </Dropdown.Menu>
    </Dropdown>
  );
}
