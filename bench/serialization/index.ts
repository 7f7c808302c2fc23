export { FORMAT_NAMES, FORMATS, type Format, type FormatName } from './formats.js';
export {
  fromGraphqlResponse,
  type GraphqlRoot,
  toGraphqlObject,
  toGraphqlResponse,
} from './graphql-shape.js';
export {
  MESSAGE_DESCRIPTIONS,
  MESSAGE_NAMES,
  type MessageName,
  type SampleMessage,
  sampleMessages,
} from './messages.js';
export { runSerializationBench, type SerializationOptions, type SerializationResult } from './run.js';
export { COMPRESSION } from './sizes.js';
export { renderTable } from './table.js';
export type { TimingStats } from './timing.js';
