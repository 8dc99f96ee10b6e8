// Attributes to return or leave out, sort, page size and request method.
import { useState } from 'react';
import {
  Badge,
  Button,
  CloseButton,
  Col,
  Form,
  InputGroup,
  Row,
  ToggleButton,
  ToggleButtonGroup,
} from 'react-bootstrap';
import type { QueryCapabilities } from '../../api/query-options';
import type { QueryForm } from './query-form';

export interface AttributeChoice {
  path: string;
  label: string;
  sortable: boolean;
}

function fieldMatches(errorField: string | undefined, ...names: string[]): boolean {
  if (!errorField) return false;
  const f = errorField.replace(/^body\./, '');
  return names.some((n) => f === n || f.startsWith(`${n}.`) || f.startsWith(`${n}[`));
}

export function OptionsPanel({
  form,
  update,
  attributes,
  capabilities,
  serverError,
  problems,
}: {
  form: QueryForm;
  update: (patch: Partial<QueryForm>) => void;
  attributes: AttributeChoice[];
  capabilities: QueryCapabilities | undefined;
  serverError: { field?: string; message: string } | null;
  problems: { field: string; message: string }[];
}) {
  const [pick, setPick] = useState('');
  const available = attributes.filter((a) => !form.attributes.includes(a.path));
  const add = (path: string) => {
    if (path && !form.attributes.includes(path)) update({ attributes: [...form.attributes, path] });
    setPick('');
  };
  const attrError = fieldMatches(serverError?.field, 'attributes', 'excludedAttributes')
    ? serverError!.message
    : null;
  const sortError = fieldMatches(serverError?.field, 'sortBy', 'sortOrder')
    ? serverError!.message
    : null;
  const countProblem =
    problems.find((p) => p.field === 'count')?.message ??
    (fieldMatches(serverError?.field, 'count') ? serverError!.message : null);
  const maxPage = capabilities?.maxPageSize ?? null;
  const label = (path: string) => attributes.find((a) => a.path === path)?.label ?? path;

  return (
    <Row className="g-3">
      <Col xs={12} lg={4}>
        <fieldset>
          <legend className="form-label fs-6 mb-1">Attributes</legend>
          <ToggleButtonGroup
            type="radio"
            name="attr-mode"
            size="sm"
            value={form.attrMode}
            onChange={(v: 'include' | 'exclude') => update({ attrMode: v })}
            className="mb-2"
          >
            <ToggleButton id="attr-mode-include" value="include" variant="outline-secondary">
              Return only
            </ToggleButton>
            <ToggleButton id="attr-mode-exclude" value="exclude" variant="outline-secondary">
              Leave out
            </ToggleButton>
          </ToggleButtonGroup>
          <InputGroup size="sm">
            <Form.Select
              aria-label={
                form.attrMode === 'include' ? 'Attribute to return' : 'Attribute to leave out'
              }
              value={pick}
              onChange={(e) => add(e.target.value)}
              isInvalid={Boolean(attrError)}
            >
              <option value="">
                {form.attrMode === 'include'
                  ? 'Add an attribute to return…'
                  : 'Add an attribute to leave out…'}
              </option>
              {available.map((a) => (
                <option key={a.path} value={a.path}>
                  {a.label} — {a.path}
                </option>
              ))}
            </Form.Select>
            {form.attributes.length > 0 && (
              <Button variant="outline-secondary" onClick={() => update({ attributes: [] })}>
                Clear
              </Button>
            )}
          </InputGroup>
          {attrError && <div className="invalid-feedback d-block">{attrError}</div>}
          <div className="mt-2 d-flex flex-wrap gap-1" aria-live="polite">
            {form.attributes.length === 0 && (
              <span className="small text-body-secondary">
                {form.attrMode === 'include'
                  ? 'All default attributes are returned.'
                  : 'Nothing is left out.'}
              </span>
            )}
            {form.attributes.map((p) => (
              <Badge
                key={p}
                bg="secondary-subtle"
                text="secondary-emphasis"
                className="d-inline-flex align-items-center gap-1 border"
              >
                <span title={p}>{label(p)}</span>
                <CloseButton
                  aria-label={`Remove ${label(p)}`}
                  style={{ fontSize: '0.6rem' }}
                  onClick={() => update({ attributes: form.attributes.filter((x) => x !== p) })}
                />
              </Badge>
            ))}
          </div>
        </fieldset>
      </Col>
      <Col xs={12} sm={6} lg={3}>
        <Form.Label htmlFor="query-sort">Sort by</Form.Label>
        <InputGroup size="sm" hasValidation>
          <Form.Select
            id="query-sort"
            value={form.sortBy}
            onChange={(e) => update({ sortBy: e.target.value })}
            isInvalid={Boolean(sortError)}
            disabled={capabilities ? !capabilities.sort && !form.sortBy : false}
          >
            <option value="">
              {capabilities && !capabilities.sort
                ? 'Not supported by this provider'
                : 'Provider order'}
            </option>
            {attributes
              .filter((a) => a.sortable)
              .map((a) => (
                <option key={a.path} value={a.path}>
                  {a.label}
                </option>
              ))}
          </Form.Select>
          <Form.Select
            aria-label="Sort order"
            value={form.sortOrder}
            onChange={(e) => update({ sortOrder: e.target.value as QueryForm['sortOrder'] })}
            disabled={!form.sortBy}
            style={{ maxWidth: '8.5rem' }}
          >
            <option value="ascending">Ascending</option>
            <option value="descending">Descending</option>
          </Form.Select>
          {sortError && <Form.Control.Feedback type="invalid">{sortError}</Form.Control.Feedback>}
        </InputGroup>
      </Col>
      <Col xs={6} sm={3} lg={2}>
        <Form.Label htmlFor="query-count">Page size</Form.Label>
        <Form.Control
          id="query-count"
          size="sm"
          type="number"
          min={1}
          max={maxPage ?? undefined}
          value={Number.isFinite(form.count) ? form.count : ''}
          onChange={(e) => update({ count: e.target.value === '' ? NaN : Number(e.target.value) })}
          isInvalid={Boolean(countProblem)}
          aria-describedby="query-count-help"
        />
        {countProblem ? (
          <Form.Control.Feedback type="invalid">{countProblem}</Form.Control.Feedback>
        ) : (
          <Form.Text id="query-count-help">{maxPage ? `At most ${maxPage}.` : ''}</Form.Text>
        )}
      </Col>
      {capabilities?.cursorPaging && (
        <Col xs={6} sm={3} lg={2}>
          <Form.Label htmlFor="query-paging">Paging</Form.Label>
          <Form.Select
            id="query-paging"
            size="sm"
            value={form.paging}
            onChange={(e) => update({ paging: e.target.value as QueryForm['paging'] })}
          >
            <option value="index" disabled={!capabilities.indexPaging}>
              Index (startIndex)
            </option>
            <option value="cursor">Cursor (RFC 9865)</option>
          </Form.Select>
        </Col>
      )}
      <Col xs={6} sm={3} lg={1}>
        <Form.Label htmlFor="query-method">Method</Form.Label>
        <Form.Select
          id="query-method"
          size="sm"
          value={form.method}
          onChange={(e) => update({ method: e.target.value as QueryForm['method'] })}
        >
          <option value="auto">Auto</option>
          <option value="GET">GET</option>
          <option value="POST" disabled={capabilities ? !capabilities.search : false}>
            POST /.search
          </option>
        </Form.Select>
      </Col>
    </Row>
  );
}
