import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A few client routes under /dashboard with the History API; the service answers index.html for
 * any of them (its SPA fallback), so a reload or a pasted link opens the same page.
 */
export const BASE = '/dashboard';

function current(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path === '' ? '/' : path;
}

const listeners = new Set<() => void>();
addEventListener('popstate', () => listeners.forEach((listener) => listener()));

export function navigate(to: string): void {
  history.pushState(null, '', BASE + to);
  listeners.forEach((listener) => listener());
}

export function useRoute(): string {
  const [path, setPath] = useState(current());
  useEffect(() => {
    const update = () => {
      setPath(current());
      window.scrollTo(0, 0);
    };
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return path;
}

/** A real link (middle click, copy link work) that moves within the app on a plain click. */
export function Link(props: { href: string; children: ComponentChildren } & Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a {...rest} href={BASE + href} onClick={onClick}>
      {children}
    </a>
  );
}
