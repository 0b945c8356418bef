/**
 * Light or dark: the system's `prefers-color-scheme` unless pinned with the header's toggle. The
 * pin is kept in localStorage and applied as `data-theme` on <html>, which app.html's inline script
 * also does before the first paint (so a reload never flashes the other theme).
 */
export type Scheme = 'light' | 'dark';
export const THEME_KEY = 'firebreak:theme';

function readPin(): Scheme | null {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

export class Theme {
  pinned = $state<Scheme | null>(readPin());
  system = $state<Scheme>('light');
  readonly scheme = $derived<Scheme>(this.pinned ?? this.system);

  /** Follows the system setting while mounted; returns the cleanup. */
  watch(): () => void {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const read = () => (this.system = mq.matches ? 'dark' : 'light');
    read();
    mq.addEventListener('change', read);
    return () => mq.removeEventListener('change', read);
  }

  /** Switches to the other scheme; choosing what the system already prefers drops the pin. */
  toggle() {
    const next: Scheme = this.scheme === 'dark' ? 'light' : 'dark';
    this.pinned = next === this.system ? null : next;
    try {
      if (this.pinned) localStorage.setItem(THEME_KEY, this.pinned);
      else localStorage.removeItem(THEME_KEY);
    } catch {
      // Private mode without storage: the choice lasts for this page.
    }
    if (this.pinned) document.documentElement.dataset.theme = this.pinned;
    else delete document.documentElement.dataset.theme;
  }
}

export const theme = new Theme();
