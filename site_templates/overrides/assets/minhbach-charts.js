/*
 * Minh Bạch: turn each chart into the live Vega view, with tooltips.
 *
 * Every chart is on the page without JavaScript: a unit and period's charts as HTML
 * bars or tiles, a unit's trend as an SVG image rendered at build time. When a chart
 * comes near the screen, this script loads the Vega bundle and the d3 locale (both
 * files of this site, in assets/charts/, made by vl-convert and Babel at build time)
 * and the chart's spec, then draws the same chart with the same locale ("47,10%",
 * "thg 3"). An image's spec is a file of its own (`data-spec`); the spec of a chart
 * drawn in HTML is its kind's template (`templateOf`: one file per edition, cached by
 * the browser) with what the figure's own spec adds to it (`script.mb-chart__spec`:
 * its data, packed as rows, and a map's size).
 * The bars, tiles or image are hidden only once the live view has rendered; if anything
 * fails, they simply stay.
 *
 * The charts drawn in HTML have no image or spec files: their PNG, SVG and Vega-Lite
 * downloads are made from the live view (`toImageURL`) and its spec when asked for,
 * by buttons this script adds once the view is live (an image's PNG likewise).
 * Nothing is requested from another host, and the actions menu (which links to the
 * online Vega editor) is off.
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

  // The figure's own spec entries, its data given back as records: the page packs them
  // as rows of one list of fields (charts.pack_data).
  function unpack(packed) {
    if (!packed.fields) {
      return packed;
    }
    var own = Object.assign({}, packed);
    delete own.fields;
    delete own.rows;
    own.data = {
      values: packed.rows.map(function (row) {
        var record = {};
        packed.fields.forEach(function (field, index) {
          record[field] = row[index];
        });
        return record;
      }),
    };
    return own;
  }

  // The chart's spec: its own file, or its kind's template with what the figure adds
  // to it (its data; a map's size).
  // A chart drawn in HTML carries its own spec entries; an image has a spec file.
  function ownSpec(view) {
    return view.querySelector("script.mb-chart__spec");
  }

  function specOf(view) {
    var script = ownSpec(view);
    if (script === null) {
      return json(new URL(view.getAttribute("data-spec"), document.baseURI).href);
    }
    var own = unpack(JSON.parse(script.textContent));
    return json(templateOf(view)).then(function (spec) {
      return Object.assign({}, spec, own);
    });
  }

  // A kind's template, beside the Vega bundle: the figure of kind "rate_target" (its
  // class mb-chart--rate_target) has assets/charts/rate-target.vl.json
  // (charts.template_path).
  function templateOf(view) {
    var figure = view.closest("figure");
    var kind = /(?:^|\s)mb-chart--(\w+)/.exec(figure ? figure.className : "");
    if (!kind) {
      throw new Error("a chart drawn in HTML outside its figure");
    }
    return new URL(kind[1].replace(/_/g, "-") + ".vl.json", base).href;
  }

  function enhance(view) {
    Promise.resolve()
      .then(function () {
        // Inside the chain, so that a spec that cannot be read (its JSON, its figure's
        // kind) fails like anything else: the chart as built stays.
        return Promise.all([vega(), specOf(view)]);
      })
      .then(function (results) {
        var locale = results[0];
        var spec = results[1];
        var live = document.createElement("div");
        live.className = "mb-chart__live";
        view.appendChild(live);
        return window
          .vegaEmbed(live, spec, {
            renderer: "svg",
            actions: false,
            logLevel: 1, // errors only: an empty layer (no merger in range) warns, harmlessly
            formatLocale: locale.format,
            timeFormatLocale: locale.time,
          })
          .then(function (result) {
            view.classList.add("mb-chart__view--live");
            offerImages(view, result.view, spec);
          });
      })
      .catch(function () {
        // The bars or the build-time image stay: the same chart, without tooltips.
      });
  }

  // The live view in a format ("png", twice the size, "svg", or "vl.json": its spec),
  // as a download named like the build-time files: thads-2024-3-thang-quang-ninh-....png.
  function download(live, spec, format, name) {
    var made =
      format === "vl.json"
        ? Promise.resolve(
            URL.createObjectURL(
              new Blob([JSON.stringify(spec)], { type: "application/json" })
            )
          )
        : live.toImageURL(format, format === "png" ? 2 : 1);
    return made.then(function (url) {
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

  var LABELS = { png: "PNG", svg: "SVG", "vl.json": "Vega-Lite" };

  // Buttons for the downloads the live view makes, put before the page's own download
  // links (which work without JavaScript): "PNG · SVG · Vega-Lite · CSV" for a chart
  // drawn in HTML, "PNG · SVG · CSV · Vega-Lite" for an image (its SVG and spec are
  // files). Each is named after the figure: thads-2024-3-thang-quang-ninh-co-cau.png.
  function offerImages(view, live, spec) {
    var figure = view.closest("figure");
    var links = figure && figure.querySelector(".mb-chart__downloads");
    if (!links || !figure.id) {
      return;
    }
    var formats = ownSpec(view) !== null ? ["png", "svg", "vl.json"] : ["png"];
    var exports = document.createElement("span");
    exports.className = "mb-chart__exports";
    formats.forEach(function (format) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = LABELS[format];
      button.setAttribute("data-format", format);
      button.addEventListener("click", function () {
        download(live, spec, format, figure.id + "." + format);
      });
      exports.appendChild(button);
      exports.appendChild(document.createTextNode(" · "));
    });
    links.insertBefore(exports, links.querySelector("a"));
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
  document
    .querySelectorAll(".mb-chart__view[data-spec], .mb-chart__view--bars, .mb-chart__view--tiles")
    .forEach(function (view) {
      observer.observe(view);
    });
})();
