import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// A Backstage test app with tables can take seconds to render on a busy
// machine; testing-library's default 1 s for `findBy*`/`waitFor` is too short
// there and turns a slow render into a failure.
configure({ asyncUtilTimeout: 10_000 });
