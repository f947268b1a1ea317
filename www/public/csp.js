// The page's exact Content-Security-Policy, written before any other script runs.
//
// A static page cannot widen its policy once the document has one: every policy a document
// receives (the header, each <meta> tag) is enforced, so the effective policy is their
// intersection, and a tag added later can only narrow it. The page therefore carries two:
//
// 1. an upper bound, the same in the header and in the first <meta> tag (vite.config.ts),
//    whose connect-src allows 'self' and the origins an edge bundle may live on
//    (`data-attachable` below: https:, http://127.0.0.1:*, http://localhost:*);
// 2. this script's policy, the same but for connect-src: 'self' and only the bundle
//    origins the user added in the Monitor panel (localStorage "driftlab.edge.origins").
//
// The intersection is 'self' plus the added origins. Adding or removing an origin reloads
// the page so that this script writes the new policy. This is a classic script (not a
// module) loaded from this origin in <head>, so it runs before the page's own modules.
(function () {
  var KEY = 'driftlab.edge.origins';
  var me = document.currentScript;
  var bound = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  if (!me || !bound) return;
  var attachable = (me.getAttribute('data-attachable') || '').split(/\s+/).filter(Boolean);
  var origins = [];
  try {
    var stored = JSON.parse(localStorage.getItem(KEY) || '[]');
    if (Array.isArray(stored)) origins = stored;
  } catch (e) {
    origins = [];
  }
  // only plain origins the upper bound allows anyway (no paths, quotes or spaces)
  var valid = /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?)$/;
  origins = origins.filter(function (o) { return typeof o === 'string' && valid.test(o); });
  var policy = bound.getAttribute('content').split(';').map(function (d) {
    var words = d.trim().split(/\s+/);
    if (words[0] !== 'connect-src') return d.trim();
    var kept = words.slice(1).filter(function (s) { return attachable.indexOf(s) < 0; });
    return ['connect-src'].concat(kept, origins).join(' ');
  }).join('; ');
  var meta = document.createElement('meta');
  meta.setAttribute('http-equiv', 'Content-Security-Policy');
  meta.setAttribute('content', policy);
  meta.id = 'csp-exact';
  bound.after(meta);
})();
