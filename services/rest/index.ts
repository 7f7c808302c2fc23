/**
 * REST/JSON adapter: FeedService as the resources of schemas/rest-binding.ts.
 * `createRestHandler` is a fetch-API handler (tests call it without a
 * socket); `start` serves it over node's HTTP stacks.
 */
export type { RestErrorBody, RestErrorCode } from './errors.js';
export { createRestHandler, type FetchHandler, type RestHandlerOptions } from './handler.js';
export { chunksOf, NdjsonError, type NdjsonLine, ndjsonLines } from './ndjson.js';
export { type CompiledRoute, compileRoutes, routeOf } from './routes.js';
export { type RestServerHandle, start, startRest } from './server.js';
