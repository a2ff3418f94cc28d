import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, "switchyard: N passed, N failed, N skipped" (a file that failed
 * outside its tests counts as one failure), and shouts when
 * integration tests were skipped, so a local opt-out can never pass for a full run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    let skippedIntegration = 0;
    for (const module of testModules) {
      const failedBefore = counts.failed;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else {
          counts.skipped++;
          if (module.project.name === 'integration') skippedIntegration++;
        }
      }
      // A file that failed outside its tests (a beforeAll, an import) leaves them skipped: count it once.
      if (module.state() === 'failed' && counts.failed === failedBefore) counts.failed++;
    }
    if (skippedIntegration > 0) {
      const line = '!'.repeat(78);
      console.log(
        `\n${line}\n!! ${skippedIntegration} INTEGRATION TESTS SKIPPED: they did not run against moto and kube-apiserver.\n${line}`,
      );
    }
    console.log(`\nswitchyard: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
