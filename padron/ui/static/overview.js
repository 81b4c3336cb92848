// The Overview page's world map and charts (padron/ui/templates/overview.html).
// Every figure drawn here is also on the page as text; this only draws. The
// figures come from the page's <script type="application/json" id="overview-data">
// (data, never run); the country shapes from the vendored world-atlas topology.
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var format = new Intl.NumberFormat("en");
  var ink = "#1b1f24";
  var accent = "#0b5cad";
  var second = "#d4a72c";
  Chart.defaults.color = ink;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  function customers(n) {
    return format.format(n) + (n === 1 ? " customer" : " customers");
  }

  function chart(id, config) {
    var canvas = document.getElementById(id);
    return canvas ? new Chart(canvas, config) : null;
  }

  chart("days-chart", {
    type: "line",
    data: {
      labels: data.days,
      datasets: [
        { label: "Created", data: data.created, borderColor: accent, backgroundColor: accent,
          pointRadius: 0, borderWidth: 2, tension: 0.2 },
        { label: "Updated", data: data.updated, borderColor: second, backgroundColor: second,
          pointRadius: 0, borderWidth: 2, tension: 0.2 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } } }
    }
  });

  chart("years-chart", {
    type: "bar",
    data: { labels: data.years,
            datasets: [{ label: "Customers", data: data.born, backgroundColor: accent }] },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                x: { ticks: { maxTicksLimit: 10, maxRotation: 0 } } }
    }
  });

  chart("genders-chart", {
    type: "bar",
    data: { labels: data.genders,
            datasets: [{ label: "Customers", data: data.genderCounts, backgroundColor: accent }] },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });

  // The map: a shape's key is its ISO numeric id (or "name:<name>" without
  // one); data.shapes maps it to the alpha-3 padron stores.
  var canvas = document.getElementById("world-map");
  var tip = document.getElementById("map-tip");
  if (!canvas || typeof ChartGeo === "undefined") {
    return;
  }

  // From a light blue (the fewest customers, still apart from the grey of none)
  // to a dark one (the most); t from 0 to 1.
  function shade(t) {
    var low = [189, 215, 238];
    var high = [8, 48, 107];
    var mix = low.map(function (c, i) { return Math.round(c + (high[i] - c) * t); });
    return "rgb(" + mix.join(",") + ")";
  }

  function showTip(context) {
    var tooltip = context.tooltip;
    if (!tooltip || tooltip.opacity === 0 || !tooltip.dataPoints || !tooltip.dataPoints.length) {
      tip.hidden = true;
      return;
    }
    var point = tooltip.dataPoints[0].raw;
    tip.textContent = point.name + ": " + (point.count ? customers(point.count) : "no customers");
    tip.style.left = Math.round(tooltip.caretX) + "px";
    tip.style.top = Math.round(tooltip.caretY) + "px";
    tip.hidden = false;
  }

  fetch(data.topology, { credentials: "same-origin" })
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error("the map's shapes did not load: HTTP " + answer.status);
      }
      return answer.json();
    })
    .then(function (topology) {
      var shapes = ChartGeo.topojson.feature(topology, topology.objects.countries).features;
      var points = shapes.map(function (shape) {
        var name = shape.properties && shape.properties.name ? shape.properties.name : "";
        var key = shape.id !== undefined && shape.id !== null ? String(shape.id) : "name:" + name;
        var alpha3 = data.shapes[key] || null;
        var known = alpha3 ? data.countries[alpha3] : null;
        return {
          feature: shape,
          alpha3: alpha3,
          name: known ? known[0] : name,
          count: known ? known[1] : 0,
          // No customers: the scale's "missing" colour, apart from the lightest shade.
          value: known ? known[1] : NaN
        };
      });
      // Counts between countries often span orders of magnitude: a logarithmic
      // scale then, so that a country with a few customers is not drawn as none.
      var counts = points.filter(function (p) { return p.count > 0; })
        .map(function (p) { return p.count; });
      var spread = counts.length ? Math.max.apply(null, counts) / Math.min.apply(null, counts) : 1;
      new Chart(canvas, {
        type: "choropleth",
        data: {
          labels: points.map(function (p) { return p.name; }),
          datasets: [{ label: "Customers", data: points, borderColor: "#8c959f", borderWidth: 0.5 }]
        },
        options: {
          aspectRatio: 1.8,
          showOutline: false,
          showGraticule: false,
          plugins: {
            legend: { display: false },
            tooltip: { enabled: false, external: showTip }
          },
          scales: {
            projection: { axis: "x", projection: "equalEarth" },
            color: { axis: "x", type: spread >= 10 ? "colorLogarithmic" : "color",
                     interpolate: shade, missing: "#eceff1",
                     legend: { position: "bottom-left", align: "right" },
                     ticks: { precision: 0 } }
          }
        }
      });
    })
    .catch(function (error) {
      tip.textContent = String(error.message || error);
      tip.hidden = false;
    });
})();
