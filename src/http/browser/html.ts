/**
 * Minimal server-rendered HTML for the browser side of Fedlink: sign-in page, user page, result and
 * error pages. No scripts, no external resources (inline CSS only). Every interpolated value goes
 * through `esc()`; templates take plain strings and never trust them.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#1c1e21;color:#202124}
  main{max-width:420px;margin:8vh auto;background:#fff;border-radius:8px;padding:28px 32px;box-shadow:0 4px 24px rgba(0,0,0,.35)}
  h1{font-size:22px;margin:0 0 18px}h2{font-size:16px;margin:22px 0 8px}
  .msg{padding:10px 12px;border-radius:6px;margin:0 0 16px}.msg.error{background:#fdecea;color:#8a1c13}
  .msg.success{background:#e7f5ea;color:#1e5b2c}.msg.info{background:#e8f0fe;color:#174ea6}
  label{display:block;font-weight:600;margin:12px 0 4px}input[type=text],input[type=password]{width:100%;padding:8px 10px;border:1px solid #bbb;border-radius:6px;font:inherit}
  button,.button{display:block;width:100%;margin:10px 0 0;padding:9px 12px;border:0;border-radius:6px;background:#fd4b2d;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
  .button.source{background:#2b2d30}.muted{color:#666;font-size:13px}ul{padding-left:18px}code{background:#f1f3f4;padding:1px 4px;border-radius:4px}
  form.inline{margin:0}footer{margin-top:18px}
`;

/** A whole page. `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)} - authentik</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export type MessageLevel = 'error' | 'success' | 'info';
export interface Message { level: MessageLevel; text: string }

function messageBox(m?: Message): string {
  return m ? `<p class="msg ${esc(m.level)}" role="${m.level === 'error' ? 'alert' : 'status'}">${esc(m.text)}</p>` : '';
}

/** The sign-in page: one button per enabled OAuth source and the local password form. */
export function signInPage(o: {
  sources: { name: string; slug: string }[];
  csrfToken: string;
  signedInAs?: string;
  message?: Message;
  uid?: string;
  next?: string;
}): string {
  const nextQs = o.next ? `?next=${encodeURIComponent(o.next)}` : '';
  const buttons = o.sources.map((s) =>
    `<a class="button source" href="/source/oauth/login/${encodeURIComponent(s.slug)}/${esc(nextQs)}">Sign in with ${esc(s.name)}</a>`).join('\n');
  const who = o.signedInAs
    ? `<p class="msg info">You are signed in as <strong>${esc(o.signedInAs)}</strong>. A source you use now is linked to this account. <a href="/if/user/">Your account</a></p>`
    : '';
  return page('Sign in', `<h1>Sign in</h1>${messageBox(o.message)}${who}
<form method="post" action="/if/flow/default-authentication-flow/${esc(nextQs)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${esc(o.csrfToken)}">
<label for="uid_field">Username or email</label><input type="text" id="uid_field" name="uid_field" autocomplete="username" value="${esc(o.uid ?? '')}" required>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Log in</button></form>
${buttons ? `<h2>Or sign in with</h2>\n${buttons}` : ''}`);
}

/** The signed-in user's page: who they are, their source connections, sign-out. */
export function userPage(o: {
  username: string;
  connections: { sourceName: string; sourceSlug: string; created: string }[];
  csrfToken: string;
  message?: Message;
}): string {
  const list = o.connections.length === 0
    ? '<p class="muted">No sources connected.</p>'
    : `<ul>${o.connections.map((c) => `<li>${esc(c.sourceName)} <span class="muted">(<code>${esc(c.sourceSlug)}</code>, since ${esc(c.created)})</span></li>`).join('')}</ul>`;
  return page('My account', `<h1>Welcome, ${esc(o.username)}</h1>${messageBox(o.message)}
<p>Signed in as <strong data-testid="username">${esc(o.username)}</strong>.</p>
<h2>Connected sources</h2>${list}
<p><a href="/if/flow/default-authentication-flow/">Connect another source</a></p>
<footer><form class="inline" method="post" action="/if/flow/default-invalidation-flow/">
<input type="hidden" name="csrfmiddlewaretoken" value="${esc(o.csrfToken)}"><button type="submit">Sign out</button></form></footer>`);
}

/** An error or deny page. `rule` (a machine-readable reason) is shown when the failure is a decision rule. */
export function errorPage(o: { title: string; message: string; code: string; rule?: string; ruleId?: string }): string {
  const ref = o.ruleId ? ` <span class="muted">(${esc(o.ruleId === 'fedlink' ? 'Fedlink rule' : `rule ${o.ruleId}`)})</span>` : '';
  const rule = o.rule ? `<p>Denied by rule <code data-testid="rule">${esc(o.rule)}</code>${ref}</p>` : '';
  return page(o.title, `<h1>${esc(o.title)}</h1><p class="msg error" role="alert">${esc(o.message)}</p>${rule}
<p class="muted">Reason code: <code data-testid="code">${esc(o.code)}</code></p>
<p><a href="/if/flow/default-authentication-flow/">Back to sign-in</a></p>`);
}
