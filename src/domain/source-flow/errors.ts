/**
 * Why a source sign-in could not complete before any decision was made (decisions F12). Thrown by
 * the OAuth client and the callback checks; the browser routes render it as an HTML page with its
 * status. Nothing has been written when one of these is thrown.
 */

/** Stable codes: the page shows the message, tests and logs use the code. */
export type SignInFailureCode =
  | 'source_not_found'       // 404: unknown slug, disabled source, not an OAuth source
  | 'state_missing'          // 400: callback without our state cookie (expired, other browser, or replayed after use)
  | 'state_mismatch'         // 400: callback state does not match the cookie (forged)
  | 'state_used'             // 400: this state was already consumed by an earlier callback
  | 'code_missing'           // 400: callback without `code`
  | 'callback_malformed'     // 400: callback with repeated parameters or an unusable host
  | 'csrf_failed'            // 403: a form POST without the right CSRF token
  | 'provider_error'         // 400: the provider answered the authorization request with `?error=…`
  | 'code_rejected'          // 400: the provider refused the code (invalid_grant: expired or already used)
  | 'provider_unreachable'   // 502: network error or timeout talking to the provider
  | 'provider_invalid'       // 502: the provider answered something we cannot accept (bad JSON, bad ID token, OAuth error)
  | 'identifier_missing'     // 502: the profile has neither `sub` nor `id`
  | 'source_misconfigured';  // 502: the source lacks a URL, uses plain http off loopback, or its secret cannot be read

const STATUS: Record<SignInFailureCode, 400 | 403 | 404 | 502> = {
  source_not_found: 404,
  state_missing: 400,
  state_mismatch: 400,
  state_used: 400,
  code_missing: 400,
  callback_malformed: 400,
  csrf_failed: 403,
  provider_error: 400,
  code_rejected: 400,
  provider_unreachable: 502,
  provider_invalid: 502,
  identifier_missing: 502,
  source_misconfigured: 502,
};

/** A failed sign-in attempt; `message` is safe to show (no secrets, no raw provider bodies). */
export class SignInFailed extends Error {
  readonly status: 400 | 403 | 404 | 502;
  constructor(readonly code: SignInFailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = STATUS[code];
  }
}
