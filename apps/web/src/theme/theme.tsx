// Colour mode (Bootstrap 5.3 `data-bs-theme` on <html>): light, dark, or follow the
// system through matchMedia. The choice is remembered per user on the server
// (PUT /api/me/preferences) and mirrored in memory; nothing goes to browser storage.
// Before sign-in the system mode applies (public/theme-init.js sets it before first paint).
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { savePreferences } from '../api/auth';
import type { ThemePreference } from '../api/types';
import { useSession } from '../auth/session';

export type EffectiveTheme = 'light' | 'dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function systemTheme(): EffectiveTheme {
  return typeof window !== 'undefined' && window.matchMedia?.(DARK_QUERY).matches
    ? 'dark'
    : 'light';
}

/** Follows the operating system's colour scheme, live. */
export function useSystemTheme(): EffectiveTheme {
  const [theme, setTheme] = useState<EffectiveTheme>(systemTheme);
  useEffect(() => {
    const query = window.matchMedia?.(DARK_QUERY);
    if (!query) return;
    const onChange = () => setTheme(query.matches ? 'dark' : 'light');
    onChange();
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return theme;
}

export interface ThemeContextValue {
  preference: ThemePreference;
  effective: EffectiveTheme;
  setPreference: (preference: ThemePreference) => void;
  /** Set when saving the preference failed (the mode still applies for this page). */
  saveError: string | null;
}

const ThemeContext = createContext<ThemeContextValue | null>(null);

export function ThemeProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const [override, setOverride] = useState<{
    userId: string | null;
    preference: ThemePreference;
  } | null>(null);
  // After sign-out or session expiry keep the last user's mode (in memory) rather than
  // flashing back to the system one on the sign-in page.
  const [lastSaved, setLastSaved] = useState<ThemePreference>('system');
  const userSaved = session.user?.preferences?.theme;
  if (userSaved && userSaved !== lastSaved) setLastSaved(userSaved);
  const saved = userSaved ?? lastSaved;
  const [saveError, setSaveError] = useState<string | null>(null);
  const system = useSystemTheme();
  const userId = session.user?.id ?? null;
  // A choice made in this page wins until the user changes; otherwise the saved preference.
  const preference = override && override.userId === userId ? override.preference : saved;
  const effective: EffectiveTheme = preference === 'system' ? system : preference;

  // Before paint, so a change of mode never shows one frame in the old colours.
  useLayoutEffect(() => {
    document.documentElement.setAttribute('data-bs-theme', effective);
  }, [effective]);

  const { setUser } = session;
  const setPreference = useCallback(
    (next: ThemePreference) => {
      setOverride({ userId, preference: next });
      setSaveError(null);
      if (!userId) return;
      savePreferences({ theme: next }).then(
        (user) => setUser(user),
        () => setSaveError('Your theme choice could not be saved; it applies until you reload.'),
      );
    },
    [userId, setUser],
  );

  const value = useMemo(
    () => ({ preference, effective, setPreference, saveError }),
    [preference, effective, setPreference, saveError],
  );
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme(): ThemeContextValue {
  const value = useContext(ThemeContext);
  if (!value) throw new Error('useTheme() must be used inside <ThemeProvider>');
  return value;
}
