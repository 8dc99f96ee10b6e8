// The signed-in user, the session's CSRF token and what the user may do. The session
// itself is an HttpOnly cookie the app never sees; this context mirrors GET /api/auth/me.
import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import * as authApi from '../api/auth';
import { setCsrfToken, onSessionExpired, toApiError, type ApiError } from '../api/http';
import type { Permission, User } from '../api/types';
import { clearTokens } from '../token-store/token-store';
import { prefetchTokens } from './prefetch-tokens';

export type SessionStatus = 'loading' | 'authenticated' | 'anonymous' | 'error';
/** Why there is no session: never signed in, signed out, or it ended underneath us. */
export type AnonymousReason = 'none' | 'signed-out' | 'expired';

export interface Session {
  status: SessionStatus;
  user: User | null;
  csrfToken: string | null;
  reason: AnonymousReason;
  /** Set when GET /api/auth/me failed for a reason other than "not signed in". */
  error: ApiError | null;
  can: (permission: Permission) => boolean;
  login: (username: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  /** Replaces the user after a change the server confirmed (e.g. preferences). */
  setUser: (user: User) => void;
  reload: () => void;
}

const SessionContext = createContext<Session | null>(null);

interface State {
  status: SessionStatus;
  user: User | null;
  csrfToken: string | null;
  reason: AnonymousReason;
  error: ApiError | null;
}

const LOADING: State = {
  status: 'loading',
  user: null,
  csrfToken: null,
  reason: 'none',
  error: null,
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>(LOADING);
  const [attempt, setAttempt] = useState(0);
  const userId = state.user?.id ?? null;

  const end = useCallback(
    (reason: AnonymousReason) => {
      setCsrfToken(null);
      clearTokens();
      queryClient.clear();
      setState({ status: 'anonymous', user: null, csrfToken: null, reason, error: null });
    },
    [queryClient],
  );

  // Read by the session-expiry listener, which is registered once.
  const latest = useRef({ end, status: state.status });
  useEffect(() => {
    latest.current = { end, status: state.status };
  });

  useEffect(() => {
    let cancelled = false;
    authApi.fetchSession().then(
      ({ user, csrfToken, state }) => {
        if (cancelled) return;
        if (user && csrfToken) {
          setCsrfToken(csrfToken);
          setState({ status: 'authenticated', user, csrfToken, reason: 'none', error: null });
          return;
        }
        setState({
          status: 'anonymous',
          user: null,
          csrfToken: null,
          reason: state === 'expired' ? 'expired' : 'none',
          error: null,
        });
      },
      (e: unknown) => {
        if (cancelled) return;
        setState({
          status: 'error',
          user: null,
          csrfToken: null,
          reason: 'none',
          error: toApiError(e),
        });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  // Any 401 from the API while signed in means the session ended (expiry, server restart,
  // admin disabled the account): forget everything and send the user to sign in.
  useEffect(
    () =>
      onSessionExpired(() => {
        if (latest.current.status === 'authenticated') latest.current.end('expired');
      }),
    [],
  );

  // On session start, fetch the user's tokens into the in-memory store.
  useEffect(() => {
    if (userId) void prefetchTokens();
  }, [userId]);

  const login = useCallback(
    async (username: string, password: string) => {
      const { user, csrfToken } = await authApi.login(username, password);
      clearTokens();
      queryClient.clear();
      setCsrfToken(csrfToken);
      setState({ status: 'authenticated', user, csrfToken, reason: 'none', error: null });
      return user;
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } catch {
      // Signing out locally matters more than the server's answer; the cookie expires anyway.
    } finally {
      end('signed-out');
    }
  }, [end]);

  const setUser = useCallback((user: User) => {
    setState((current) => (current.status === 'authenticated' ? { ...current, user } : current));
  }, []);

  const reload = useCallback(() => {
    setState(LOADING);
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Session>(() => {
    const permissions = new Set(state.user?.permissions ?? []);
    return {
      ...state,
      can: (permission: Permission) => permissions.has(permission),
      login,
      logout,
      setUser,
      reload,
    };
  }, [state, login, logout, setUser, reload]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() must be used inside <SessionProvider>');
  return session;
}
