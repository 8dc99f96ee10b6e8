import type { TokenState } from '../api/types';

export interface TokenStateLook {
  label: string;
  bg: 'success' | 'warning' | 'danger' | 'secondary';
  icon: string;
  /** What the user should do, in words. */
  hint: string;
}

export const TOKEN_STATE_LOOK: Record<TokenState | 'unknown', TokenStateLook> = {
  valid: {
    label: 'Valid',
    bg: 'success',
    icon: 'check-circle-fill',
    hint: 'Ready to run queries.',
  },
  expiring: {
    label: 'Expiring',
    bg: 'warning',
    icon: 'hourglass-split',
    hint: 'It will be refreshed automatically when possible; refresh it now on the Tokens page.',
  },
  expired: {
    label: 'Expired',
    bg: 'danger',
    icon: 'clock-history',
    hint: 'Refresh it or link a new token.',
  },
  revoked: {
    label: 'Revoked',
    bg: 'danger',
    icon: 'slash-circle',
    hint: 'The provider no longer accepts it: reconnect on the Tokens page.',
  },
  invalid: {
    label: 'Invalid',
    bg: 'danger',
    icon: 'exclamation-octagon',
    hint: 'Link a new token on the Tokens page.',
  },
  missing: {
    label: 'Missing',
    bg: 'secondary',
    icon: 'dash-circle',
    hint: 'Link a token on the Tokens page.',
  },
  unknown: {
    label: 'Unknown',
    bg: 'secondary',
    icon: 'question-circle',
    hint: 'The token state could not be loaded.',
  },
};

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "in 5 min", "3 h ago": for expiry times. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return '';
  const abs = Math.abs(ms);
  const [value, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), 's']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), 'min']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), 'h']
          : [Math.round(abs / 86_400_000), 'd'];
  return ms >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}
