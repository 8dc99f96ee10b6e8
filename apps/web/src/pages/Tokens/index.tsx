export { default } from './TokensPage';
