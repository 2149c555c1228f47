// nav.js — client-side navigation (history API) without an import cycle: main.js registers the
// router, pages call navigate().
let router = () => {};
export function setRouter(fn) {
  router = fn;
}
export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  router();
}
