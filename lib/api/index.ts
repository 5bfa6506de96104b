export { createApi, jobIdOf, type Api, type ApiDeps } from './createApi.js';
export { bodyTooLarge } from './apiErrors.js';
export { errorResponse, jsonResponse, JSON_CONTENT_TYPE } from './responses.js';
export { ROUTES } from './routes.js';
export type {
  Authorizer, HttpRequest, HttpResponse,
} from './types.js';
