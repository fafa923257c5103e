// The domain rules the phone needs offline, in one import. Each module mirrors its Python
// twin in app/services/ and both are checked against the JSON vectors in tests/vectors/.

export { availableInstruments, INSTRUMENTS, PROMPTS } from './instruments.js';
export { scoreAnswers, score, validateAnswers, SCREEN_THRESHOLD } from './scoring.js';
export { psfsChange, activityKey, changeLabel, MEAN_MDC, ACTIVITY_MDC } from './outcomes.js';
export { gasTScore, goalProgress, goalProblems } from './goals.js';
export { pacingBaseline, suggestQuota, flareDays, roundDown, amountText } from './pacing.js';
export { round2, dayNumber, dayText, localDay } from './numbers.js';
