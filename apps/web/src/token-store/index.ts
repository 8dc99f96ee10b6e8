export {
  getToken,
  refreshToken,
  clearTokens,
  forgetToken,
  setTokenStatus,
  subscribe,
  getTokenSnapshot,
  getTokenInfo,
  EXPIRY_MARGIN_MS,
  EXPIRING_WITHIN_MS,
  type AccessToken,
  type TokenInfo,
} from './token-store';
export { useTokenStatus, useAllTokenStatuses } from './use-token-status';
