// Starts the VLibras widget (Libras translation by the federal government). Included only when the VLIBRAS
// setting is on, after vlibras-plugin.js (both deferred, so they run in order before the page's load event):
// the widget's constructor sets window.onload to build itself, so it must run before that event.
if (window.VLibras && window.VLibras.Widget) {
  new window.VLibras.Widget("https://vlibras.gov.br/app");
}
