// Writes docs/rules.md from the platform rules' metadata: `npx tsx scripts/gen-rules-doc.ts` (a test keeps it current).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesDocument } from '../lib/compliance/aws/docs';

writeFileSync(join(__dirname, '..', 'docs', 'rules.md'), rulesDocument());
