import { unavailable } from '@ballast/platform/errors.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { SCALAR_SCRIPT } from './routes.js';
import type { DocsAssets } from './store.js';

/**
 * Where the docs page's script is: in a Lambda, copied beside the bundle (the route's `files`) and
 * read from the function's root, Lambda's working directory; locally, in node_modules.
 */

function candidates(): string[] {
  const out = [resolve(SCALAR_SCRIPT.to)];
  try {
    const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
    out.push(join(dirname(entry), 'browser', 'standalone.js'));
  } catch {
    // not installed here (a Lambda): the copied file is the one
  }
  return out;
}

async function load(): Promise<string> {
  for (const file of candidates()) {
    try {
      return await readFile(file, 'utf8');
    } catch {
      // try the next place
    }
  }
  throw unavailable('DOCS_ASSET_MISSING', 'The docs page script is not deployed with this function');
}

let script: Promise<string> | undefined;

export const fileDocsAssets: DocsAssets = {
  scalarScript() {
    script ??= load().catch((err: unknown) => {
      script = undefined;
      throw err;
    });
    return script;
  },
};
