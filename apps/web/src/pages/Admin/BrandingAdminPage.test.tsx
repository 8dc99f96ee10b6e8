import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../../test/api-server';
import { demoUser, renderWithApp } from '../../test/render';
import BrandingAdminPage from './BrandingAdminPage';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer((req) => {
    switch (`${req.method} ${req.path}`) {
      case 'GET /api/auth/me':
      case 'GET /api/auth/session':
        return {
          body: {
            user: demoUser({ permissions: ['admin:manage'] }),
            csrfToken: 'c',
            state: 'active',
          },
        };
      case 'GET /api/settings/branding':
        return { body: { name: 'SCIM Console', primaryColor: '#0d6efd', logoDataUrl: null } };
      case 'PUT /api/settings/branding':
        return { body: req.body };
      case 'GET /api/token/status':
        return { body: { statuses: [] } };
      default:
        return { status: 404, body: apiError('NOT_FOUND', 'no') };
    }
  });
});
afterAll(() => server.close());

describe('Branding admin', { timeout: 30_000 }, () => {
  it('refuses a logo over 100 KB, previews a small one and saves name, colour and logo', async () => {
    renderWithApp(<BrandingAdminPage />);
    const user = userEvent.setup({ applyAccept: false });
    const logo = await screen.findByLabelText('Logo');
    await user.upload(
      logo,
      new File([new Uint8Array(101 * 1024)], 'big.png', { type: 'image/png' }),
    );
    expect(await screen.findByText('The image is 101 KB; the limit is 100 KB.')).toBeVisible();
    await user.upload(logo, new File(['GIF89a'], 'logo.gif', { type: 'image/gif' }));
    expect(await screen.findByText('Use a PNG, SVG or JPEG image.')).toBeVisible();

    const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    await user.upload(logo, new File([svg], 'logo.svg', { type: 'image/svg+xml' }));
    expect(await screen.findByAltText('Logo preview')).toHaveAttribute(
      'src',
      `data:image/svg+xml;base64,${btoa(svg)}`,
    );
    await user.clear(screen.getByLabelText('Organisation name'));
    await user.type(screen.getByLabelText('Organisation name'), 'Acme IAM');
    await user.clear(screen.getByLabelText('Primary colour'));
    await user.type(screen.getByLabelText('Primary colour'), '#7B2CBF');
    await user.click(screen.getByRole('button', { name: 'Save branding' }));
    expect(await screen.findByText(/branding saved/i)).toBeVisible();
    expect(server.calls('/api/settings/branding').find((r) => r.method === 'PUT')!.body).toEqual({
      name: 'Acme IAM',
      primaryColor: '#7b2cbf',
      logoDataUrl: `data:image/svg+xml;base64,${btoa(svg)}`,
    });
  });

  it('says what is wrong with a colour that is not #rrggbb and does not save it', async () => {
    renderWithApp(<BrandingAdminPage />);
    const user = userEvent.setup();
    const color = await screen.findByLabelText('Primary colour');
    await user.clear(color);
    await user.type(color, 'blue');
    expect(screen.getByText('Use the form #rrggbb, e.g. #0d6efd.')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Save branding' })).toBeDisabled();
  });
});
