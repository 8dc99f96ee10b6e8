import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Two shared CPU cores run every package's tests at once: give real HTTP round trips
// room before a findBy… gives up (the default is 1 s).
configure({ asyncUtilTimeout: 20_000 });

afterEach(() => {
  cleanup();
});
