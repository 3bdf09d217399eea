/**
 * What jsdom lacks and Lumino's widgets need at import time: the DragEvent class (every browser
 * has it). With it, modules that import @jupyterlab/apputils (the view registry) load in tests.
 */
if (typeof globalThis.DragEvent === 'undefined') {
  globalThis.DragEvent = class DragEvent extends MouseEvent {};
}
if (typeof window !== 'undefined' && typeof window.matchMedia !== 'function') {
  // jsdom has no media queries: nothing matches, as in a page with no preferences set.
  window.matchMedia = query => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false
  });
}
