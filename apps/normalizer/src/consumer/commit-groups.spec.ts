import { CommitGroups } from './commit-groups';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A group runner that records its groups and can be held open or made to fail. */
function recorder() {
  const groups: string[][] = [];
  let hold: Promise<void> = Promise.resolve();
  let failWith: Error | undefined;
  return {
    groups,
    holdNext(): () => void {
      let release: () => void = () => undefined;
      hold = new Promise<void>((r) => (release = r));
      return release;
    },
    failNext(error: Error): void {
      failWith = error;
    },
    run: async (items: string[]): Promise<void> => {
      groups.push(items);
      await hold;
      hold = Promise.resolve();
      const error = failWith;
      failWith = undefined;
      if (error) throw error;
    },
  };
}

describe('CommitGroups', () => {
  it('runs the items submitted in one tick as one group', async () => {
    const r = recorder();
    const groups = new CommitGroups<string>(r.run);
    await Promise.all(['p0', 'p1', 'p2'].map((p) => groups.submit(p)));
    expect(r.groups).toEqual([['p0', 'p1', 'p2']]);
  });

  it('resolves an item only when its group has run', async () => {
    const r = recorder();
    const release = r.holdNext();
    const groups = new CommitGroups<string>(r.run);
    let done = false;
    const pending = groups.submit('p0').then(() => (done = true));
    await tick();
    expect(r.groups).toEqual([['p0']]);
    expect(done).toBe(false);
    release();
    await pending;
    expect(done).toBe(true);
  });

  it('puts items submitted while a group runs into the next group, one group at a time', async () => {
    const r = recorder();
    const release = r.holdNext();
    const groups = new CommitGroups<string>(r.run);
    const first = groups.submit('p0');
    await tick();
    const later = Promise.all([groups.submit('p1'), groups.submit('p2')]);
    await tick();
    await tick();
    expect(r.groups).toEqual([['p0']]);
    release();
    await first;
    await later;
    expect(r.groups).toEqual([['p0'], ['p1', 'p2']]);
  });

  it('fails every item of a group that fails, and runs the next group', async () => {
    const r = recorder();
    r.failNext(new Error('coordinator gone'));
    const groups = new CommitGroups<string>(r.run);
    const results = await Promise.allSettled(['p0', 'p1'].map((p) => groups.submit(p)));
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('coordinator gone'));
    await groups.submit('p0');
    expect(r.groups).toEqual([['p0', 'p1'], ['p0']]);
  });
});
