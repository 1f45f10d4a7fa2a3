import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabelled, segmentedWords } from './labelled.reader';

describe('readLabelled', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'labelled-')), 'rows.jsonl');
  writeFileSync(
    file,
    [
      JSON.stringify({ text_segmented: '老板 拖欠  工資 ， 血汗钱', label: '劳动和社会保障' }),
      JSON.stringify({ title: '噪音', text: '工地夜间施工', label: '城乡建设' }),
    ].join('\n'),
  );

  it('keeps a segmented row’s words (as matchText, punctuation dropped) beside its text', () => {
    expect(segmentedWords('老板 拖欠  工資 ， 血汗钱')).toEqual(['老板', '拖欠', '工资', '血汗钱']);
    const [segmented, raw] = readLabelled(file, { titleField: 'title' });
    expect(segmented).toEqual({
      text: '老板拖欠工资血汗钱',
      label: '劳动和社会保障',
      words: ['老板', '拖欠', '工资', '血汗钱'],
    });
    // A raw row has no words: the vocabulary's matcher finds them, as at run time.
    expect(raw).toEqual({ text: '噪音工地夜间施工', label: '城乡建设' });
  });
});
