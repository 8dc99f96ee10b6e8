// Organisation branding applied through Bootstrap's CSS variables. The button and
// link variables are declared on their own selectors in Bootstrap, so a root variable
// alone would not reach them: one <style> element overrides them in one place.
import type { Branding } from '../api/types';

const STYLE_ID = 'scim-console-branding';
const HEX = /^#([0-9a-f]{6})$/i;

export function hexToRgb(hex: string): [number, number, number] | null {
  const m = HEX.exec(hex.trim());
  if (!m) return null;
  const n = Number.parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b]
    .map((c) =>
      Math.round(Math.max(0, Math.min(255, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Mixes towards black (amount < 0) or white (amount > 0), as Bootstrap's shade/tint do. */
export function mix(rgb: [number, number, number], amount: number): [number, number, number] {
  const target = amount < 0 ? 0 : 255;
  const t = Math.abs(amount);
  return rgb.map((c) => Math.round(c + (target - c) * t)) as [number, number, number];
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour on a primary background: whichever of white/black reads better. */
export function onColor(rgb: [number, number, number]): '#fff' | '#000' {
  return contrastRatio(rgb, [255, 255, 255]) >= contrastRatio(rgb, [0, 0, 0]) ? '#fff' : '#000';
}

/** Darkens (light mode) or lightens (dark mode) until the colour reads as text on the page background. */
function readableOn(
  rgb: [number, number, number],
  background: [number, number, number],
): [number, number, number] {
  let color = rgb;
  const direction = luminance(background) > 0.5 ? -1 : 1;
  for (let i = 1; i <= 10 && contrastRatio(color, background) < 4.5; i++)
    color = mix(rgb, direction * i * 0.1);
  return color;
}

export function brandingCss(primaryColor: string): string {
  const rgb = hexToRgb(primaryColor);
  if (!rgb) return '';
  const text = onColor(rgb);
  const hover = mix(rgb, text === '#fff' ? -0.15 : 0.15);
  const active = mix(rgb, text === '#fff' ? -0.2 : 0.2);
  const lightLink = readableOn(rgb, [255, 255, 255]);
  const darkLink = readableOn(rgb, [33, 37, 41]);
  const rule = (link: [number, number, number]) =>
    `--bs-primary: ${primaryColor}; --bs-primary-rgb: ${rgb.join(', ')};` +
    ` --bs-link-color: ${toHex(link)}; --bs-link-color-rgb: ${link.join(', ')};` +
    ` --bs-link-hover-color: ${toHex(mix(link, -0.2))}; --bs-link-hover-color-rgb: ${mix(link, -0.2).join(', ')};` +
    ` --bs-primary-text-emphasis: ${toHex(link)};`;
  return [
    `:root, [data-bs-theme=light] { ${rule(lightLink)} }`,
    `[data-bs-theme=dark] { ${rule(darkLink)} }`,
    `.btn-primary { --bs-btn-color: ${text}; --bs-btn-bg: ${primaryColor}; --bs-btn-border-color: ${primaryColor};` +
      ` --bs-btn-hover-color: ${text}; --bs-btn-hover-bg: ${toHex(hover)}; --bs-btn-hover-border-color: ${toHex(hover)};` +
      ` --bs-btn-active-color: ${text}; --bs-btn-active-bg: ${toHex(active)}; --bs-btn-active-border-color: ${toHex(active)};` +
      ` --bs-btn-disabled-color: ${text}; --bs-btn-disabled-bg: ${primaryColor}; --bs-btn-disabled-border-color: ${primaryColor};` +
      ` --bs-btn-focus-shadow-rgb: ${rgb.join(', ')}; }`,
    `.btn-outline-primary { --bs-btn-color: var(--bs-link-color); --bs-btn-border-color: ${primaryColor};` +
      ` --bs-btn-hover-color: ${text}; --bs-btn-hover-bg: ${primaryColor}; --bs-btn-hover-border-color: ${primaryColor};` +
      ` --bs-btn-active-color: ${text}; --bs-btn-active-bg: ${toHex(active)}; --bs-btn-active-border-color: ${toHex(active)}; }`,
    `.bg-primary { color: ${text}; }`,
    `.form-control:focus, .form-select:focus, .form-check-input:focus { border-color: rgba(${rgb.join(', ')}, 0.5); box-shadow: 0 0 0 .25rem rgba(${rgb.join(', ')}, .25); }`,
    `.form-check-input:checked { background-color: ${primaryColor}; border-color: ${primaryColor}; }`,
    `.nav-pills { --bs-nav-pills-link-active-bg: ${primaryColor}; --bs-nav-pills-link-active-color: ${text}; }`,
    `.pagination { --bs-pagination-active-bg: ${primaryColor}; --bs-pagination-active-border-color: ${primaryColor}; }`,
    `.progress { --bs-progress-bar-bg: ${primaryColor}; }`,
  ].join('\n');
}

/** Applies (or, with null, removes) the organisation's branding on the document. */
export function applyBranding(branding: Branding | null): void {
  let style = document.getElementById(STYLE_ID) as HTMLStyleElement | null;
  const css = branding ? brandingCss(branding.primaryColor) : '';
  if (!css) {
    style?.remove();
    return;
  }
  if (!style) {
    style = document.createElement('style');
    style.id = STYLE_ID;
    document.head.appendChild(style);
  }
  style.textContent = css;
}
