export { default } from './HistoryPage';
