import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_FILE, generateDocument, generateSchema, SCHEMA_FILE } from '../src/generate.js';

describe('the typed client', () => {
  it('is generated from the route table as it is now (a contract change needs `npm run client`)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const generated = await generateSchema();
    const was = committed.split('\n');
    const now = generated.split('\n');
    const line = now.findIndex((text, i) => text !== was[i]);
    expect(
      committed === generated,
      'packages/client/src/schema.ts differs from what the route table generates (first at line ' +
        `${line + 1}: ${JSON.stringify(now[line] ?? '')}): run \`npm run client\` and commit it`,
    ).toBe(true);
  }, 60_000);

  it('and so is the OpenAPI document the openapi function serves (`npm run client` writes both)', () => {
    expect(
      readFileSync(DOCUMENT_FILE, 'utf8') === generateDocument(),
      'packages/app/src/ops/openapi.json differs from what the route table generates: run `npm run client`',
    ).toBe(true);
  });
});
