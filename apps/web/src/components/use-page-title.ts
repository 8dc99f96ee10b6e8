import { useEffect } from 'react';

let suffix = 'SCIM Console';

/** The organisation's name, appended to every page title. */
export function setTitleSuffix(name: string): void {
  suffix = name || 'SCIM Console';
  const base = document.title.split(' · ')[0];
  document.title = base && base !== suffix ? `${base} · ${suffix}` : suffix;
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${suffix}`;
  }, [title]);
}
