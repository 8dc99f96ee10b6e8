import { Badge, OverlayTrigger, Tooltip } from 'react-bootstrap';
import { Link } from 'react-router';
import type { TokenInfo } from '../token-store/token-store';
import { formatDateTime, formatRelative, TOKEN_STATE_LOOK } from './token-state';

/** The token state of one connection in words (tooltip and accessible name). */
export function tokenStateText(name: string, info: TokenInfo | undefined): string {
  const look = TOKEN_STATE_LOOK[info?.state ?? 'unknown'];
  const expiry = info?.expiresAt
    ? `${info.state === 'expired' ? 'Expired' : 'Expires'} ${formatRelative(info.expiresAt)} (${formatDateTime(info.expiresAt)}).`
    : '';
  return `${name}: token ${look.label.toLowerCase()}. ${expiry} ${info?.message ?? look.hint}`
    .replace(/\s+/g, ' ')
    .trim();
}

/** One connection's token state: a badge linking to the Tokens page, details in a tooltip. */
export function TokenBadge({
  name,
  connectionId,
  info,
  wide = false,
}: {
  name: string;
  connectionId: string;
  info: TokenInfo | undefined;
  /** In a menu: room for the full name and the state in words. */
  wide?: boolean;
}) {
  const look = TOKEN_STATE_LOOK[info?.state ?? 'unknown'];
  const text = tokenStateText(name, info);
  return (
    <OverlayTrigger
      placement={wide ? 'left' : 'bottom'}
      overlay={<Tooltip id={`token-tip-${connectionId}`}>{text}</Tooltip>}
    >
      <Link
        to="/tokens"
        className="text-decoration-none"
        aria-label={text}
        data-token-state={info?.state ?? 'unknown'}
      >
        <Badge
          bg={look.bg}
          text={look.bg === 'warning' ? 'dark' : undefined}
          className="d-inline-flex align-items-center gap-1"
        >
          <i className={`bi bi-${look.icon}`} aria-hidden="true" />
          <span className="text-truncate" style={{ maxWidth: wide ? '16rem' : '9rem' }}>
            {name}
            {wide && ` · ${look.label}`}
          </span>
        </Badge>
      </Link>
    </OverlayTrigger>
  );
}
