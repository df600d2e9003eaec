// The report page's own script (runs in the browser after the inlined vega builds): draws each
// figure from its inline (compiled) spec with vega-embed on a canvas (a quarter less work than SVG
// elements for the same marks; the files beside the page are the vector figures), and where that fails puts the static image back
// with the error in view. When every figure is settled it marks <html data-figures="done"> and
// records the time since navigation in data-figures-ms (the browser test and the bench read them).
export const PAGE_SCRIPT = `
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.fig-box[data-spec]'));
  var failed = 0;
  function fallback(box, why) {
    failed++;
    var err = box.querySelector('.fig-error');
    err.textContent = 'Interactive figure unavailable (' + why + '); the static image is shown instead.';
    err.hidden = false;
    var ns = box.querySelector('noscript');
    var view = box.querySelector('.fig-view');
    if (ns && view) view.innerHTML = ns.textContent;
  }
  function settle() {
    var root = document.documentElement;
    root.setAttribute('data-figures-ms', String(Math.round(performance.now())));
    root.setAttribute('data-figures-failed', String(failed));
    root.setAttribute('data-figures', 'done');
  }
  if (typeof window.vegaEmbed !== 'function') {
    boxes.forEach(function (b) { fallback(b, 'the vega libraries did not load'); });
    settle();
    return;
  }
  var jobs = boxes.map(function (box) {
    var spec;
    try {
      spec = JSON.parse(document.getElementById(box.getAttribute('data-spec')).textContent);
    } catch (e) {
      fallback(box, 'its data could not be read: ' + e.message);
      return Promise.resolve();
    }
    var t0 = performance.now();
    return window
      .vegaEmbed(box.querySelector('.fig-view'), spec, { mode: 'vega', renderer: 'canvas', actions: false, tooltip: { theme: 'light' } })
      .then(function (r) {
        // The views by figure name, for a reader's console (view.data(...)) and the browser test.
        (window.chronoevalViews = window.chronoevalViews || {})[box.parentElement.id] = r.view;
        box.setAttribute('data-rendered', 'yes');
        box.setAttribute('data-ms', String(Math.round(performance.now() - t0)));
      })
      .catch(function (e) { fallback(box, (e && e.message) || String(e)); });
  });
  Promise.all(jobs).then(settle);
})();
`;
