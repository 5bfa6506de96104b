/** A transport-neutral HTTP request, built from an API Gateway event. */
export interface HttpRequest {
  method: string;
  /** The raw path, without query string, e.g. `/_ml/anomaly_detectors/x`. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body exactly as received (still compressed if it was sent so). */
  body: Uint8Array;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Decides whether a request may run `action` (an Elasticsearch action name
 * such as `cluster:admin/xpack/ml/job/data/post`). Throws MlError 401 or
 * 403; resolves when allowed. Called before any job lookup.
 */
export interface Authorizer {
  authorize(request: HttpRequest, action: string): Promise<void>;
}
