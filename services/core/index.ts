export { Backend, type BackendCall, type BackendStats } from './backend.js';
export {
  DATASET_EPOCH_SECONDS,
  DATASET_PRESETS,
  type Dataset,
  type DatasetPreset,
  type DatasetPresetName,
  entityId,
  generateDataset,
  LIST_SIZES,
} from './dataset.js';
export { CoreError, type CoreErrorCode, expectArg } from './errors.js';
export { type CallContext, FeedCore, type FeedCoreOptions, LIMITS } from './feed-core.js';
export { Random } from './random.js';
export { type EventPayload, type Subscription, TopicHub, type TopicHubOptions } from './topic-hub.js';
