import { CommitGroups } from './commit-groups';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A commit function that records its groups and can be held open or made to fail. */
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
    commit: async (items: string[]): Promise<void> => {
      groups.push(items);
      await hold;
      const error = failWith;
      failWith = undefined;
      if (error) throw error;
    },
  };
}

describe('CommitGroups', () => {
  it('commits the batches submitted together as one group, after all of them are processed', async () => {
    const r = recorder();
    const groups = new CommitGroups<string>(r.commit);
    const done = await Promise.all(
      ['p0', 'p1', 'p2'].map((p) => groups.submit(() => tick().then(() => p))),
    );
    expect(done).toEqual(['p0', 'p1', 'p2']);
    expect(r.groups).toEqual([['p0', 'p1', 'p2']]);
  });

  it('processes one batch at a time, in the order submitted', async () => {
    const groups = new CommitGroups<string>(recorder().commit);
    const log: string[] = [];
    let running = 0;
    const work = (p: string) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${p}`);
      await tick();
      log.push(`end ${p}`);
      running--;
      return p;
    };
    await Promise.all(['a', 'b', 'c'].map((p) => groups.submit(work(p))));
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('holds a batch until the transaction holding it has committed', async () => {
    const r = recorder();
    const release = r.holdNext();
    const groups = new CommitGroups<string>(r.commit);
    let committed = false;
    const pending = groups.submit(() => Promise.resolve('p0')).then(() => (committed = true));
    await tick();
    expect(r.groups).toEqual([['p0']]);
    expect(committed).toBe(false);
    release();
    await pending;
    expect(committed).toBe(true);
  });

  it('puts batches processed during a commit into the next group, one transaction at a time', async () => {
    const r = recorder();
    const release = r.holdNext();
    const groups = new CommitGroups<string>(r.commit);
    const first = groups.submit(() => Promise.resolve('p0'));
    await tick();
    const later = [
      groups.submit(() => Promise.resolve('p1')),
      groups.submit(() => Promise.resolve('p2')),
    ];
    await tick();
    expect(r.groups).toEqual([['p0']]);
    const releaseSecond = r.holdNext();
    release();
    await first;
    await tick();
    expect(r.groups).toEqual([['p0'], ['p1', 'p2']]);
    releaseSecond();
    await expect(Promise.all(later)).resolves.toEqual(['p1', 'p2']);
  });

  it('fails every member of a group whose commit fails, and commits the next group', async () => {
    const r = recorder();
    r.failNext(new Error('coordinator gone'));
    const groups = new CommitGroups<string>(r.commit);
    const results = await Promise.allSettled(
      ['p0', 'p1'].map((p) => groups.submit(() => Promise.resolve(p))),
    );
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    await expect(groups.submit(() => Promise.resolve('p0'))).resolves.toBe('p0');
    expect(r.groups).toEqual([['p0', 'p1'], ['p0']]);
  });

  it('a batch that fails to process fails alone and does not hold the group up', async () => {
    const r = recorder();
    const groups = new CommitGroups<string>(r.commit);
    const results = await Promise.allSettled([
      groups.submit(() => Promise.resolve('p0')),
      groups.submit(() => Promise.reject(new Error('dedup store closed'))),
      groups.submit(() => Promise.resolve('p2')),
    ]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(r.groups).toEqual([['p0', 'p2']]);
  });

  it('commits nothing for a batch with nothing to commit', async () => {
    const r = recorder();
    const groups = new CommitGroups<string>(r.commit);
    await expect(groups.submit(() => Promise.resolve(undefined))).resolves.toBeUndefined();
    await groups.submit(() => Promise.resolve('p1'));
    expect(r.groups).toEqual([['p1']]);
  });
});
