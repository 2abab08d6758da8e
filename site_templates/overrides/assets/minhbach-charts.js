/*
 * Minh Bạch: turn each chart into the live Vega view, with tooltips.
 *
 * Every chart is on the page without JavaScript: a unit's small charts as HTML bars,
 * the others as an SVG image rendered at build time. When a chart comes near the
 * screen, this script loads the Vega bundle and the d3 locale (both files of this site,
 * in assets/charts/, made by vl-convert and Babel at build time) and the chart's own
 * spec (`data-spec`), then draws the same chart with the same locale ("47,10%",
 * "thg 3"). The bars or the image are hidden only once the live view has rendered; if
 * anything fails, they simply stay.
 *
 * The charts drawn in HTML have no image files: their PNG and SVG downloads, hidden
 * until then, are made by the live view (`toImageURL`) when asked for. Nothing is
 * requested from another host, and the actions menu (which links to the online Vega
 * editor) is off.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.fetch || !window.Promise || !("IntersectionObserver" in window)) {
    return;
  }
  var base = new URL("charts/", script.src);
  var ready = null;

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  function vega() {
    if (ready === null) {
      var bundle = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = new URL("vega.js", base).href;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
      ready = Promise.all([bundle, json(new URL("locale.json", base).href)]).then(
        function (results) {
          return results[1];
        }
      );
    }
    return ready;
  }

  function enhance(view) {
    var spec = new URL(view.getAttribute("data-spec"), document.baseURI).href;
    Promise.all([vega(), json(spec)])
      .then(function (results) {
        var locale = results[0];
        var live = document.createElement("div");
        live.className = "mb-chart__live";
        view.appendChild(live);
        return window
          .vegaEmbed(live, results[1], {
            renderer: "svg",
            actions: false,
            logLevel: 1, // errors only: an empty layer (no merger in range) warns, harmlessly
            formatLocale: locale.format,
            timeFormatLocale: locale.time,
          })
          .then(function (result) {
            view.classList.add("mb-chart__view--live");
            offerImages(view, result.view);
          });
      })
      .catch(function () {
        // The bars or the build-time image stay: the same chart, without tooltips.
      });
  }

  // The image of the live view in a format ("png", twice the size, or "svg"), as a
  // download named like the build-time files: thads-2024-3-thang-quang-ninh-....png.
  function download(live, format, name) {
    return live.toImageURL(format, format === "png" ? 2 : 1).then(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      if (url.indexOf("blob:") === 0) {
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 60000);
      }
    });
  }

  function offerImages(view, live) {
    var figure = view.closest("figure");
    var exports = figure && figure.querySelector(".mb-chart__exports");
    if (!exports) {
      return;
    }
    exports.querySelectorAll("button[data-format]").forEach(function (button) {
      button.addEventListener("click", function () {
        download(live, button.getAttribute("data-format"), button.getAttribute("data-file"));
      });
    });
    exports.hidden = false;
  }

  var observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          enhance(entry.target);
        }
      });
    },
    { rootMargin: "300px" }
  );
  document.querySelectorAll(".mb-chart__view[data-spec]").forEach(function (view) {
    observer.observe(view);
  });
})();
