import { readJsonl } from '../../test/support/shared-data';
import type { Message } from './channels';

/**
 * The real public messages, read at run time from ../shared/data (SHARED_DATA_DIR overrides);
 * their texts are never copied into the repository.
 */
export function loadMessages(): Message[] {
  return readJsonl<{ id: string; title?: string; text?: string }>('messages_unlabeled.jsonl')
    .map((m) => ({ id: String(m.id), title: m.title ?? '', text: m.text ?? '' }))
    .filter((m) => m.text.trim().length > 0);
}
