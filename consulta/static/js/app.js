// Small enhancements on top of htmx; every page works without this file.
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
