import { DEFAULT_PAGE_SIZE } from './list.service.ts';

/** RFC 7643 §5 ServiceProviderConfig, as the sandbox actually behaves (RFC 9865 pagination included). */
export function serviceProviderConfig(
  deps: { readonly scimUrl: string; readonly documentationUri: string },
  maxPageSize: number,
): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: deps.documentationUri,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: maxPageSize },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865: both paging methods; cursors do not expire (no cursorTimeout).
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'JWT access tokens from the sandbox authorization server, or static personal API tokens',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        documentationUri: deps.documentationUri,
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${deps.scimUrl}/ServiceProviderConfig`,
    },
  };
}
