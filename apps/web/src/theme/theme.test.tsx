import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, startApiServer, type ApiServer } from '../test/api-server';
import { demoUser, renderWithApp } from '../test/render';
import { applyBranding, brandingCss, contrastRatio, hexToRgb, onColor } from './branding';
import { useTheme } from './theme';

/** jsdom has no matchMedia: a controllable stand-in for the OS colour-scheme setting. */
function installColorScheme(initialDark: boolean) {
  let dark = initialDark;
  const listeners = new Set<() => void>();
  window.matchMedia = ((query: string) => ({
    get matches() {
      return query.includes('dark') ? dark : !dark;
    },
    media: query,
    onchange: null,
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
    addListener: () => undefined,
    removeListener: () => undefined,
    dispatchEvent: () => true,
  })) as unknown as typeof window.matchMedia;
  return (nextDark: boolean) => {
    dark = nextDark;
    act(() => listeners.forEach((l) => l()));
  };
}

function ThemeSwitch() {
  const { preference, effective, setPreference } = useTheme();
  return (
    <div>
      <p>
        {preference}/{effective}
      </p>
      <button onClick={() => setPreference('dark')}>Dark</button>
      <button onClick={() => setPreference('system')}>System</button>
    </div>
  );
}

let server: ApiServer;
let savedTheme: string;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(() => server.close());
beforeEach(() => {
  savedTheme = 'system';
  server.handle((req) => {
    if (req.path === '/api/auth/me' || req.path === '/api/auth/session') {
      return {
        body: {
          user: demoUser({ preferences: { theme: savedTheme } }),
          csrfToken: 'c',
          state: 'active',
        },
      };
    }
    if (req.path === '/api/me/preferences' && req.method === 'PUT') {
      savedTheme = (req.body as { theme: string }).theme;
      return { body: demoUser({ preferences: { theme: savedTheme } }) };
    }
    if (req.path === '/api/token/status') return { body: { statuses: [] } };
    return { status: 404, body: apiError('NOT_FOUND', 'no') };
  });
});
afterEach(() => document.documentElement.removeAttribute('data-bs-theme'));

const mode = () => document.documentElement.getAttribute('data-bs-theme');

describe('colour mode', () => {
  it('follows the system setting live in system mode', async () => {
    const setSystemDark = installColorScheme(true);
    renderWithApp(<ThemeSwitch />);
    expect(await screen.findByText('system/dark')).toBeInTheDocument();
    await waitFor(() => expect(mode()).toBe('dark'));
    setSystemDark(false);
    expect(screen.getByText('system/light')).toBeInTheDocument();
    await waitFor(() => expect(mode()).toBe('light'));
  });

  it('applies the user’s saved preference and remembers a change on the server, not in storage', async () => {
    installColorScheme(false);
    savedTheme = 'light';
    renderWithApp(<ThemeSwitch />);
    expect(await screen.findByText('light/light')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Dark' }));
    await waitFor(() => expect(mode()).toBe('dark'));
    await waitFor(() => expect(savedTheme).toBe('dark'));
    expect(server.calls('/api/me/preferences').at(-1)!.headers['x-csrf-token']).toBe('c');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it('ignores the system setting once the user picked a fixed mode', async () => {
    const setSystemDark = installColorScheme(false);
    savedTheme = 'dark';
    renderWithApp(<ThemeSwitch />);
    expect(await screen.findByText('dark/dark')).toBeInTheDocument();
    setSystemDark(false);
    await waitFor(() => expect(mode()).toBe('dark'));
  });
});

describe('branding', () => {
  it('sets the primary colour through Bootstrap variables, buttons included', () => {
    applyBranding({ name: 'Acme', primaryColor: '#7b2cbf', logoDataUrl: null });
    const css = document.getElementById('scim-console-branding')?.textContent ?? '';
    expect(css).toContain('--bs-primary: #7b2cbf');
    expect(css).toContain('--bs-primary-rgb: 123, 44, 191');
    expect(css).toMatch(/\.btn-primary \{[^}]*--bs-btn-bg: #7b2cbf/);
    applyBranding(null);
    expect(document.getElementById('scim-console-branding')).toBeNull();
  });

  it('keeps button text and links readable whatever colour is chosen', () => {
    expect(onColor(hexToRgb('#ffd60a')!)).toBe('#000');
    expect(onColor(hexToRgb('#003049')!)).toBe('#fff');
    // A pale brand colour gets darkened for links on a white page (WCAG AA 4.5:1).
    const css = brandingCss('#ffd60a');
    const link = /--bs-link-color-rgb: (\d+), (\d+), (\d+)/.exec(css)!.slice(1).map(Number) as [
      number,
      number,
      number,
    ];
    expect(contrastRatio(link, [255, 255, 255])).toBeGreaterThanOrEqual(4.5);
    expect(brandingCss('not-a-colour')).toBe('');
  });
});
