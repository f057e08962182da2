/* cc-analytics : mise en page pour l'impression et le PDF (graphiques à la largeur du papier,
   tableaux de données dépliés), et avertissement si plotly.js manque à côté de la page. */
(function () {
  "use strict";
  var fitted = false;
  function plots() {
    return window.Plotly ? Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot")) : [];
  }
  // Chromium lays the printed page out at the paper's width but never redraws a chart: each
  // one is redrawn here, before printing starts, at the width of its column on paper.
  function fitForPrint() {
    if (fitted) { return; }
    fitted = true;
    document.documentElement.classList.add("cc-print");  /* report.css: body at A4 width */
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (d) {
      d.open = true;
      d.setAttribute("data-cc-opened", "");
    });
    plots().forEach(function (gd) {
      var width = Math.floor(gd.getBoundingClientRect().width);
      if (width > 0 && gd._fullLayout && Math.abs(gd._fullLayout.width - width) > 1) {
        window.Plotly.relayout(gd, { width: width });
      }
    });
  }
  function restore() {
    if (!fitted) { return; }
    fitted = false;
    document.documentElement.classList.remove("cc-print");
    document.querySelectorAll("details[data-cc-opened]").forEach(function (d) {
      d.open = false;
      d.removeAttribute("data-cc-opened");
    });
    plots().forEach(function (gd) { window.Plotly.relayout(gd, { width: null, autosize: true }); });
  }
  window.addEventListener("beforeprint", fitForPrint);
  window.addEventListener("afterprint", restore);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) { fitForPrint(); } else { restore(); } };
    if (print.addEventListener) { print.addEventListener("change", onChange); }
    else if (print.addListener) { print.addListener(onChange); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.querySelector(".shared-asset");
    if (banner && !window.Plotly) {
      banner.classList.add("missing");
      banner.textContent = "Les graphiques ne peuvent pas s'afficher : le fichier plotly.min.js " +
        "est introuvable à côté de cette page. Copiez-le dans le même dossier que la page, ou " +
        "demandez une version autonome du rapport (sans --shared-plotly).";
    }
  });
}());
