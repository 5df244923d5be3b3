// Starts the VLibras widget (Libras translation by the federal government) once its plugin has loaded.
// Included only when the VLIBRAS setting is on; the Content-Security-Policy then allows vlibras.gov.br.
window.addEventListener("load", function () {
  if (window.VLibras && window.VLibras.Widget) {
    new window.VLibras.Widget("https://vlibras.gov.br/app");
  }
});
