import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * vitest's sequencer, except that the named files start first. On a clean clone vitest has no durations yet and
 * starts larger files first; the longest files here are short ones that wait on processes and the simulator's
 * clock, and started last they would be the pass's whole tail while the other workers sit idle.
 */
export function slowFirst(files: readonly string[]) {
  return class SlowFirst extends BaseSequencer {
    override async sort(specs: TestSpecification[]): Promise<TestSpecification[]> {
      const rank = (s: TestSpecification) => {
        const i = files.findIndex((f) => s.moduleId.endsWith(f));
        return i === -1 ? files.length : i;
      };
      return (await super.sort(specs)).map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map(({ s }) => s);
    }
  };
}
