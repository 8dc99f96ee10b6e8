import type { ReactNode } from 'react';

export function EmptyState({
  icon = 'inbox',
  title,
  children,
}: {
  icon?: string;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="text-center text-body-secondary border rounded p-4 my-3">
      <i className={`bi bi-${icon} fs-2 d-block mb-2`} aria-hidden="true" />
      <p className="fw-semibold mb-1">{title}</p>
      {children && <div className="small">{children}</div>}
    </div>
  );
}
