/**
 * Re-captures the outputs shown in docs/admin-api.md from a running lab:
 *   npx tsx test/admin/capture-doc-outputs.ts
 * Each curl example is run with the real binary, in document order, against a lab started as `bpsim up` starts it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { startLab } from '../../simulators/lab.ts';
import { startAdmin } from '../../simulators/admin/index.ts';
import { DOC_PATH, formatOutput, parseDocExamples, runExample } from './doc-examples.ts';
import { TEST_PKI_DIR } from '../helpers/lab.ts';

const lab = await startLab({ addressBlock: '127.77.0', pkiDir: TEST_PKI_DIR });
const admin = await startAdmin(lab);
try {
  let doc = await readFile(DOC_PATH, 'utf8');
  const outputs: string[] = [];
  for (const ex of parseDocExamples(doc)) {
    const r = await runExample(ex.command, admin.url);
    outputs.push(formatOutput(r.stdout, ex.command));
  }
  // Replace from the end so earlier offsets stay valid.
  parseDocExamples(doc)
    .map((ex, i) => ({ ex, out: outputs[i]! }))
    .reverse()
    .forEach(({ ex, out }) => (doc = doc.slice(0, ex.outputStart) + out + doc.slice(ex.outputEnd)));
  await writeFile(DOC_PATH, doc);
  console.log(`captured ${outputs.length} outputs into ${DOC_PATH.pathname}`);
} finally {
  await lab.stop();
}
