import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Button, Card, Col, Form, Row, Spinner } from 'react-bootstrap';
import {
  DEFAULT_BRANDING,
  fetchBranding,
  MAX_LOGO_BYTES,
  saveBranding,
  settingsKeys,
} from '../../api/settings';
import type { Branding } from '../../api/types';
import { DelayedSpinner } from '../../components/DelayedSpinner';
import { ErrorAlert } from '../../components/ErrorAlert';
import { fieldErrors } from '../../components/field-errors';
import { usePageTitle } from '../../components/use-page-title';
import { contrastRatio, hexToRgb, onColor } from '../../theme/branding';
import { AdminNav } from './AdminNav';

const LOGO_TYPES = ['image/png', 'image/svg+xml', 'image/jpeg'];
const HEX = /^#[0-9a-fA-F]{6}$/;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}

function BrandingForm({ initial }: { initial: Branding }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Branding>(initial);
  const [colorText, setColorText] = useState(initial.primaryColor);
  const [logoError, setLogoError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: saveBranding,
    onSuccess: (saved) => queryClient.setQueryData(settingsKeys.branding(), saved),
  });
  const errors = fieldErrors(save.error);
  const colorValid = HEX.test(colorText);
  const rgb = hexToRgb(draft.primaryColor);
  const textOn = rgb ? onColor(rgb) : '#fff';
  const lowContrast = rgb
    ? contrastRatio(rgb, textOn === '#fff' ? [255, 255, 255] : [0, 0, 0]) < 4.5
    : false;

  const pickLogo = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    setLogoError(null);
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) {
      setLogoError('Use a PNG, SVG or JPEG image.');
      return;
    }
    if (file.size > MAX_LOGO_BYTES) {
      setLogoError(
        `The image is ${Math.ceil(file.size / 1024)} KB; the limit is ${MAX_LOGO_BYTES / 1024} KB.`,
      );
      return;
    }
    try {
      const dataUrl = await readAsDataUrl(file);
      setDraft((d) => ({ ...d, logoDataUrl: dataUrl }));
    } catch (err) {
      setLogoError(err instanceof Error ? err.message : 'The file could not be read.');
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!colorValid || !draft.name.trim()) return;
    save.mutate({ ...draft, name: draft.name.trim() });
  };

  return (
    <Row className="g-4">
      <Col lg={7}>
        <Form onSubmit={submit} noValidate>
          {save.isSuccess && !save.isPending && (
            <Alert variant="success" dismissible onClose={() => save.reset()}>
              Branding saved. Everyone sees it on their next page load.
            </Alert>
          )}
          {save.error && Object.keys(errors).length === 0 && <ErrorAlert error={save.error} />}
          <Form.Group className="mb-3" controlId="brand-name">
            <Form.Label>Organisation name</Form.Label>
            <Form.Control
              value={draft.name}
              maxLength={60}
              required
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
              isInvalid={!draft.name.trim() || !!errors.name}
            />
            <Form.Control.Feedback type="invalid">
              Name {errors.name ?? 'is required'}
            </Form.Control.Feedback>
            <Form.Text>Shown in the header, on the sign-in page and in the browser tab.</Form.Text>
          </Form.Group>
          <Form.Group className="mb-3">
            <Form.Label htmlFor="brand-color-text">Primary colour</Form.Label>
            <div className="d-flex gap-2 align-items-start">
              <Form.Control
                type="color"
                aria-label="Pick the primary colour"
                value={colorValid ? colorText : draft.primaryColor}
                onChange={(e) => {
                  setColorText(e.target.value);
                  setDraft({ ...draft, primaryColor: e.target.value });
                }}
                style={{ width: '3.5rem' }}
              />
              <div className="flex-grow-1">
                <Form.Control
                  id="brand-color-text"
                  value={colorText}
                  className="font-monospace"
                  onChange={(e) => {
                    setColorText(e.target.value);
                    if (HEX.test(e.target.value))
                      setDraft({ ...draft, primaryColor: e.target.value.toLowerCase() });
                  }}
                  isInvalid={!colorValid || !!errors.primaryColor}
                />
                <Form.Control.Feedback type="invalid">
                  {errors.primaryColor
                    ? `Colour ${errors.primaryColor}`
                    : 'Use the form #rrggbb, e.g. #0d6efd.'}
                </Form.Control.Feedback>
              </div>
            </div>
            {lowContrast && (
              <Form.Text className="text-warning-emphasis d-block">
                Button text on this colour has low contrast; links are darkened or lightened
                automatically, buttons are not.
              </Form.Text>
            )}
          </Form.Group>
          <Form.Group className="mb-3" controlId="brand-logo">
            <Form.Label>Logo</Form.Label>
            <Form.Control
              type="file"
              accept={LOGO_TYPES.join(',')}
              onChange={(e) => void pickLogo(e as ChangeEvent<HTMLInputElement>)}
              isInvalid={logoError !== null || !!errors.logoDataUrl}
              aria-describedby="brand-logo-help"
            />
            <Form.Control.Feedback type="invalid">
              {logoError ?? `Logo ${errors.logoDataUrl}`}
            </Form.Control.Feedback>
            <Form.Text id="brand-logo-help">
              PNG, SVG or JPEG, at most 100 KB. Shown at 28 px high in the header.
            </Form.Text>
            {draft.logoDataUrl && (
              <div className="mt-2">
                <Button
                  variant="outline-danger"
                  size="sm"
                  onClick={() => setDraft({ ...draft, logoDataUrl: null })}
                >
                  Remove logo
                </Button>
              </div>
            )}
          </Form.Group>
          <div className="d-flex gap-2">
            <Button type="submit" disabled={save.isPending || !colorValid || !draft.name.trim()}>
              {save.isPending && (
                <Spinner size="sm" animation="border" className="me-1" aria-hidden="true" />
              )}
              Save branding
            </Button>
            <Button
              variant="outline-secondary"
              onClick={() => {
                setDraft(DEFAULT_BRANDING);
                setColorText(DEFAULT_BRANDING.primaryColor);
              }}
            >
              Restore defaults
            </Button>
          </div>
        </Form>
      </Col>
      <Col lg={5}>
        <Card>
          <Card.Header as="h2" className="h6 mb-0">
            Preview
          </Card.Header>
          <Card.Body>
            <div className="d-flex align-items-center gap-2 border rounded p-2 mb-3 bg-body-tertiary">
              {draft.logoDataUrl ? (
                <img
                  src={draft.logoDataUrl}
                  alt="Logo preview"
                  height={28}
                  style={{ maxWidth: 120, objectFit: 'contain' }}
                />
              ) : (
                <i
                  className="bi bi-diagram-3"
                  style={{ color: draft.primaryColor }}
                  aria-hidden="true"
                />
              )}
              <span className="fw-semibold">{draft.name || '—'}</span>
            </div>
            <span
              className="btn"
              style={{
                background: draft.primaryColor,
                borderColor: draft.primaryColor,
                color: textOn,
                cursor: 'default',
              }}
            >
              Primary button
            </span>
          </Card.Body>
        </Card>
      </Col>
    </Row>
  );
}

export default function BrandingAdminPage() {
  usePageTitle('Branding');
  const branding = useQuery({ queryKey: settingsKeys.branding(), queryFn: fetchBranding });
  return (
    <>
      <AdminNav />
      <h1 className="h3">Branding</h1>
      {branding.isPending && <DelayedSpinner />}
      <ErrorAlert error={branding.error} onRetry={() => void branding.refetch()} />
      {branding.data && <BrandingForm initial={branding.data} />}
    </>
  );
}
