export { toE164 } from './phone';
export { residentIdCheckChar, residentIdProblem, isValidResidentId } from './resident-id';
export type { ResidentIdProblem } from './resident-id';
