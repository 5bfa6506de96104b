export {
  bodyLimitsFor, createApi, jobIdOf, refusalBeforeBody, type Api,
  type ApiDeps, type Authenticate,
} from './createApi.js';
export { bodyTooLarge } from './apiErrors.js';
export { errorResponse, jsonResponse, JSON_CONTENT_TYPE } from './responses.js';
export { ROUTES } from './routes.js';
export type {
  Authorizer, HttpRequest, HttpResponse,
} from './types.js';
export {
  API_KEY_ACTION, type KeyManagement,
} from './securityRoutes.js';
export { errorSummary, type ErrorSummary } from './errorSummary.js';
export {
  checkRequestTarget, headersTooLarge, lineTooLong,
  MAX_REQUEST_TARGET_BYTES,
} from './requestLimits.js';
