// The one validation kit: flags, JSON specs and inventories report problems the same way —
// the field named, its value echoed, what to do — and every problem at once.
export { Problems, ValidationError, UsageError, SpecError, type FieldProblem } from './problems.js';
export {
  expectArray,
  expectNumber,
  expectObject,
  expectProbability,
  expectString,
  isPlainObject,
  join,
  optionalNumber,
} from './json-fields.js';
export { ConfigError, FlagProblems } from './flag-fields.js';
export { MappingProblems, type RangeRule } from './mapping-fields.js';
