import { Badge, OverlayTrigger, Tooltip } from 'react-bootstrap';
import { Link } from 'react-router';
import type { TokenInfo } from '../token-store/token-store';
import { formatDateTime, formatRelative, TOKEN_STATE_LOOK } from './token-state';

/** One connection's token state: a badge linking to the Tokens page, details in a tooltip. */
export function TokenBadge({
  name,
  connectionId,
  info,
}: {
  name: string;
  connectionId: string;
  info: TokenInfo | undefined;
}) {
  const look = TOKEN_STATE_LOOK[info?.state ?? 'unknown'];
  const expiry = info?.expiresAt
    ? `${info.state === 'expired' ? 'Expired' : 'Expires'} ${formatRelative(info.expiresAt)} (${formatDateTime(info.expiresAt)}).`
    : '';
  const text = `${name}: token ${look.label.toLowerCase()}. ${expiry} ${info?.message ?? look.hint}`
    .replace(/\s+/g, ' ')
    .trim();
  return (
    <OverlayTrigger
      placement="bottom"
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
          <span className="text-truncate" style={{ maxWidth: '9rem' }}>
            {name}
          </span>
        </Badge>
      </Link>
    </OverlayTrigger>
  );
}
