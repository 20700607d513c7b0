import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/test-databases.js';
import { createTestPlatform, type TestPlatform } from '../../test/support/test-platform.js';
import { runQaEvaluation, type QaDataset } from './run-qa-evaluation.js';

/** Two facts in two documents; each question is answered by one of them. */
const dataset: QaDataset = {
  directory: '(in memory)',
  corpus: [
    {
      id: 'curie',
      title: 'Marie Curie',
      text:
        'Marie Curie was a physicist and chemist who conducted pioneering research on radioactivity. ' +
        'She was born in Warsaw in 1867. She won the Nobel Prize in Physics in 1903.',
    },
    {
      id: 'einstein',
      title: 'Albert Einstein',
      text:
        'Albert Einstein was a theoretical physicist who developed the theory of relativity. ' +
        'He was born in Ulm in 1879. He received the Nobel Prize in Physics in 1921.',
    },
  ],
  questions: [
    { id: 'q1', question: 'Where was Marie Curie born?', answers: ['Warsaw'], supporting: ['curie'] },
    { id: 'q2', question: 'Where was Albert Einstein born?', answers: ['Ulm'], supporting: ['einstein'] },
  ],
};

describeEachDriver('QA evaluation', (driver) => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await createTestPlatform(driver);
    await platform.runtime.startWorker();
  }, 600_000);
  afterAll(() => platform?.dispose());

  it('asks every question in a fresh tenant, reports citations as corpus ids and deletes the tenant', async () => {
    const report = await runQaEvaluation(platform.runtime, { data: dataset, mode: 'auto' });
    expect(report.summary.questions).toBe(2);
    expect(report.summary.documents).toBe(2);
    expect(report.summary.errors).toBe(0);
    expect(report.perQuestion.map((outcome) => outcome.id)).toEqual(['q1', 'q2']);
    // Citations are reported by the corpus id the document was ingested under, never by its uuid.
    for (const outcome of report.perQuestion) {
      expect(outcome.cited.length).toBeGreaterThan(0);
      for (const cited of outcome.cited) expect(['curie', 'einstein']).toContain(cited);
    }
    expect(report.perQuestion[0]!.cited).toContain('curie');
    expect(report.perQuestion[1]!.cited).toContain('einstein');
    expect(report.tenantKept).toBe(false);
    expect(await platform.runtime.tenants.find(report.corpus.tenantSlug)).toBeNull();
  }, 600_000);
});
