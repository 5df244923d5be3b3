// Small enhancements on top of htmx; every page works without this file.
// Loaded before htmx. The Content-Security-Policy requires Trusted Types for DOM sinks: htmx parses the
// server's HTML answers (same origin, escaped by the templates) through DOMParser and innerHTML, so the one
// "default" policy passes HTML through. It makes no scripts (htmx's allowEval and allowScriptTags are off),
// so any attempt to build one is blocked and reported. Script URLs pass only for the VLibras widget's
// loader on vlibras.gov.br (when the VLIBRAS setting is on the CSP allows that origin; otherwise
// script-src blocks it anyway); any other script URL is refused.
if (window.trustedTypes && window.trustedTypes.createPolicy) {
  window.trustedTypes.createPolicy("default", {
    createHTML: function (html) { return html; },
    createScriptURL: function (url) {
      return String(url).indexOf("https://vlibras.gov.br/") === 0 ? url : null;
    }
  });
}

// The accessibility page: ticking "Alto contraste" or "Texto maior" shows the result at once (the form
// still saves the choice in a cookie, which the server applies to every page).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box || !box.matches || !box.matches("[data-a11y-preview] input[data-a11y-class]")) { return; }
  document.documentElement.classList.toggle(box.getAttribute("data-a11y-class"), box.checked);
});

// After an in-place update, move focus to the element the server marked, so keyboard and
// screen-reader users land on the result (the #aviso live region announces it too).
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail && event.detail.elt;
  var root = target && target.isConnected ? target : document;
  var focusable = root.querySelector ? root.querySelector("[data-focus-after-swap]") : null;
  if (!focusable) { focusable = document.querySelector("[data-focus-after-swap]"); }
  if (focusable) {
    focusable.removeAttribute("data-focus-after-swap");
    focusable.focus();
  }
});

// "Copiar link" on a contribution: a plain link to the contribution (it works without this file); here a
// click copies its address instead and the #aviso live region says so. If the clipboard is refused, the
// link is simply followed.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-copy-link]") : null;
  if (!link || !navigator.clipboard || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
  event.preventDefault();
  navigator.clipboard.writeText(link.href).then(function () {
    var live = document.getElementById("aviso");
    if (live) {
      live.textContent = "";
      window.setTimeout(function () { live.textContent = link.getAttribute("data-copied") || link.href; }, 50);
    }
    link.classList.add("copy-link--done");
  }, function () {
    window.location.assign(link.href);
  });
});

// A GET form marked data-clean-query (the search) leaves its empty fields out of the htmx request, so the
// URL it asks for, and pushes to the history, carries only what the reader chose (the server still names
// the canonical URL in HX-Push-Url, and redirects a plain form's request to it).
document.addEventListener("htmx:configRequest", function (event) {
  var detail = event.detail;
  if (!detail || detail.verb !== "get" || !detail.formData || !detail.elt || !detail.elt.closest ||
      !detail.elt.closest("[data-clean-query]")) { return; }
  var empty = [];
  detail.formData.forEach(function (value, name) {
    if (value === "" && empty.indexOf(name) < 0) { empty.push(name); }
  });
  empty.forEach(function (name) {
    var kept = detail.formData.getAll(name).filter(function (value) { return value !== ""; });
    detail.formData.delete(name);
    kept.forEach(function (value) { detail.formData.append(name, value); });
  });
});
