import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelTableMarkdown, withModelTable } from './modelTable.ts';

/** `npm run models:table`: rewrites the README's model table from the catalog. */
const readmePath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../README.md');
const next = withModelTable(readFileSync(readmePath, 'utf8'), modelTableMarkdown());
writeFileSync(readmePath, next);
console.log(`model table written to ${readmePath}`);
