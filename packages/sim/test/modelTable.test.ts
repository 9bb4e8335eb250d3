import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelTableMarkdown, withModelTable } from '../src/docs/modelTable.ts';

const readme = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

describe('README model table', () => {
  it('is the one the catalog writes (run `npm run models:table` after a catalog change)', () => {
    expect(withModelTable(readme, modelTableMarkdown())).toBe(readme);
  });

  it('lists every model with its family, options, price and status', () => {
    const table = modelTableMarkdown();
    expect(table).toContain('| `kling-2.6` | market | live | text-to-video `kling-2.6/text-to-video`, aspect 16:9 / 9:16 / 1:1<br>image-to-video `kling-2.6/image-to-video`, 1 image |');
    expect(table).toContain('| `veo-3.1-fast` | veo | live |');
    expect(table).toContain('| `sora-2-pro` | market | **retired** 2026-09-24 |');
    expect(table).toContain('duration `duration` (string)');
    expect(table).toContain('aspect `ratio`');
    expect(table).toContain('1080p: 5 s 28, 10 s 55');
  });
});
