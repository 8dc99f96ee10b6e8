// Predefined queries ("inactive users", "members of group …") with their parameters.
import { Col, Form, Row } from 'react-bootstrap';
import type { PresetOption } from '../../api/query-options';
import { isoToLocalInput, localInputToIso } from './builder/datetime';

export function PresetPanel({
  presets,
  presetId,
  params,
  onPreset,
  onParam,
  fieldError,
}: {
  presets: PresetOption[];
  presetId: string | null;
  params: Record<string, string>;
  onPreset: (id: string) => void;
  onParam: (name: string, value: string) => void;
  fieldError?: { field: string; message: string } | null;
}) {
  const preset = presets.find((p) => p.id === presetId);
  return (
    <div>
      <Form.Label htmlFor="query-preset">Predefined query</Form.Label>
      <Form.Select
        id="query-preset"
        value={presetId ?? ''}
        onChange={(e) => onPreset(e.target.value)}
      >
        <option value="">Choose a predefined query…</option>
        {presets.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Form.Select>
      {preset && <Form.Text>{preset.description}</Form.Text>}
      {preset && preset.parameters.length > 0 && (
        <Row className="g-2 mt-1">
          {preset.parameters.map((param) => {
            const id = `preset-param-${param.name}`;
            const error =
              fieldError && fieldError.field.endsWith(param.name) ? fieldError.message : null;
            return (
              <Col key={param.name} xs={12} md={6}>
                <Form.Label htmlFor={id}>
                  {param.label}
                  {param.required && <span aria-hidden="true"> *</span>}
                </Form.Label>
                {param.type === 'dateTime' ? (
                  <Form.Control
                    id={id}
                    type="datetime-local"
                    step={1}
                    required={param.required}
                    isInvalid={Boolean(error)}
                    value={isoToLocalInput(params[param.name] ?? '')}
                    onChange={(e) => onParam(param.name, localInputToIso(e.target.value))}
                  />
                ) : (
                  <Form.Control
                    id={id}
                    required={param.required}
                    isInvalid={Boolean(error)}
                    placeholder={
                      param.type === 'group'
                        ? 'Group id or display name'
                        : param.type === 'department'
                          ? 'e.g. Engineering'
                          : undefined
                    }
                    value={params[param.name] ?? ''}
                    onChange={(e) => onParam(param.name, e.target.value)}
                  />
                )}
                {error && <Form.Control.Feedback type="invalid">{error}</Form.Control.Feedback>}
              </Col>
            );
          })}
        </Row>
      )}
    </div>
  );
}
