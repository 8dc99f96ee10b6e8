// Runs before the app bundle so the first paint already uses the system colour mode.
// Nothing is read from or written to storage; the signed-in user's saved preference
// (from the server) replaces this once the session has loaded.
(function () {
  try {
    if (window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches) {
      document.documentElement.setAttribute('data-bs-theme', 'dark');
    }
  } catch (_e) {
    /* keep light */
  }
})();
