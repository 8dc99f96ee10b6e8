export { default as ConnectionsAdminPage } from './ConnectionsAdminPage';
export { default as UsersAdminPage } from './UsersAdminPage';
export { default as BrandingAdminPage } from './BrandingAdminPage';
