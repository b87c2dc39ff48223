/** The diagnosis engine: read any error body, name the problem, explain it. */
export { diagnose, diagnoseById, matchRule, matchesWhen, CATALOG, DIAGNOSIS_IDS, RULES } from './engine.js';
export type { CatalogEntry, DiagnosisId, Rule, When } from './engine.js';
export { parseBody, type ParsedBody, type BodyFormat, type VendorHint, type ProviderError, type SseError } from './envelope.js';
export { fillFromBody, failureFromSaved, parseSavedResponse, type SavedResponse } from './failure.js';
