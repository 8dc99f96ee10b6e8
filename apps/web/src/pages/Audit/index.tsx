export { default } from './AuditPage';
