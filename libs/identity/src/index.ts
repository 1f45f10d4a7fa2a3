export { toE164 } from './phone';
export { residentIdCheckChar, residentIdProblem, isValidResidentId } from './resident-id';
export type { ResidentIdProblem } from './resident-id';
export {
  contactsInText,
  MAX_WRITTEN_IDS,
  MAX_WRITTEN_PHONES,
  phoneInSignature,
} from './contacts-in-text';
export type { WrittenContacts } from './contacts-in-text';
