/*
 * The Metrics tab's charts: reads the series from the URL in #metrics-charts' data-series-url (the console's
 * JSON route over the API's metrics), draws one uPlot chart per figure, writes each caption's latest reading
 * (the chart's text alternative) and its number of points (data-points), and reads the series again every
 * data-refresh seconds for a range that moves with the clock. No inline script or style: uPlot sizes its
 * elements through the CSSOM, which the console's Content-Security-Policy allows.
 */
(function () {
  'use strict';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var charts = {};
  /* The range the series covers, in seconds: each chart's time axis spans it, whatever its points. */
  var range = {from: null, to: null};
  /* The charts by metric, for whoever wants to read what is drawn (the browser tests do). */
  window.cloudplaneCharts = charts;

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function clock(seconds) {
    var d = new Date(seconds * 1000);
    return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':'
      + pad(d.getUTCSeconds()) + ' UTC';
  }

  function bytes(n) {
    if (n == null) {
      return 'unknown';
    }
    if (n < 1000) {
      return Math.round(n) + ' B';
    }
    var units = ['kB', 'MB', 'GB', 'TB'];
    var i = -1;
    while (n >= 1000 && i < units.length - 1) {
      n /= 1000;
      i++;
    }
    return n.toFixed(1) + ' ' + units[i];
  }

  function seconds(at) {
    if (typeof at === 'number') {
      return at > 1e11 ? at / 1000 : at;
    }
    return Date.parse(at) / 1000;
  }

  function value(v, scale) {
    return v == null ? null : v / scale;
  }

  /* Each metric: its uPlot series, its columns from the API's points, and its latest reading in words. */
  var METRICS = {
    cpu: {
      series: [{label: 'CPU', stroke: '#0b5cad', width: 2, value: function (u, v) { return v == null ? '–' : v.toFixed(1) + ' %'; }}],
      columns: function (p) { return [p.cpuPercent]; },
      words: function (p) { return p.cpuPercent.toFixed(1) + ' %'; },
      has: function (p) { return p.cpuPercent != null; }
    },
    memory: {
      series: [{label: 'Memory (MB)', stroke: '#17663a', width: 2}],
      columns: function (p) { return [value(p.memoryBytes, 1e6)]; },
      words: function (p) { return bytes(p.memoryBytes); },
      has: function (p) { return p.memoryBytes != null; }
    },
    disk: {
      series: [{label: 'Disk (MB)', stroke: '#8a5a00', width: 2}],
      columns: function (p) { return [value(p.diskBytes, 1e6)]; },
      words: function (p) { return bytes(p.diskBytes); },
      has: function (p) { return p.diskBytes != null; }
    },
    network: {
      series: [{label: 'In (kB)', stroke: '#0b5cad', width: 2}, {label: 'Out (kB)', stroke: '#a3211b', width: 2}],
      columns: function (p) { return [value(p.netInBytes, 1e3), value(p.netOutBytes, 1e3)]; },
      words: function (p) { return 'in ' + bytes(p.netInBytes) + ', out ' + bytes(p.netOutBytes); },
      has: function (p) { return p.netInBytes != null || p.netOutBytes != null; }
    }
  };

  function data(metric, points) {
    var columns = [[]];
    metric.series.forEach(function () { columns.push([]); });
    points.forEach(function (p) {
      columns[0].push(seconds(p.at));
      metric.columns(p).forEach(function (v, i) { columns[i + 1].push(v == null ? null : v); });
    });
    return columns;
  }

  function caption(metric, points) {
    for (var i = points.length - 1; i >= 0; i--) {
      if (metric.has(points[i])) {
        return 'Latest, at ' + clock(seconds(points[i].at)) + ': ' + metric.words(points[i]) + '.';
      }
    }
    return 'No reading in this range.';
  }

  function width(plot) {
    return Math.max(200, plot.clientWidth);
  }

  function draw(figure, points) {
    var name = figure.getAttribute('data-metric');
    var metric = METRICS[name];
    if (!metric) {
      return;
    }
    var columns = data(metric, points);
    var plot = figure.querySelector('.metrics-plot');
    if (charts[name]) {
      charts[name].setData(columns);
    } else {
      charts[name] = new uPlot({
        width: width(plot),
        height: 180,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
        scales: {x: {time: true, range: function (u, min, max) {
          return range.from != null && range.to != null ? [range.from, range.to] : [min, max];
        }}},
        series: [{label: 'Time (UTC)'}].concat(metric.series)
      }, columns, plot);
    }
    var count = 0;
    columns.slice(1).forEach(function (c) { c.forEach(function (v) { if (v != null) { count++; } }); });
    figure.setAttribute('data-points', String(count));
    figure.querySelector('.metrics-caption').textContent = caption(metric, points);
  }

  /* Reads the series and draws them; then, for a range that moves with the clock, again after data-refresh
     seconds (after 5 seconds while nothing is drawn yet, so a new environment's first reading shows soon). */
  function load(container) {
    var url = container.getAttribute('data-series-url');
    var failure = document.getElementById('metrics-load-error');
    var refresh = parseInt(container.getAttribute('data-refresh'), 10);
    if (!url) {
      return;
    }
    var next = function () {
      if (refresh > 0) {
        var empty = Object.keys(charts).every(function (name) {
          return charts[name].data.slice(1).every(function (c) { return c.every(function (v) { return v == null; }); });
        });
        window.setTimeout(function () { load(container); }, (empty ? Math.min(5, refresh) : refresh) * 1000);
      }
    };
    fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}}).then(function (res) {
      if (res.status === 401 || (res.redirected && new URL(res.url).pathname === '/sign-in')) {
        window.location.assign('/sign-in');
        return null;
      }
      return res.json().then(function (body) {
        if (!res.ok) {
          throw new Error(body && body.detail ? body.detail : 'the metrics answered ' + res.status);
        }
        return body;
      });
    }).then(function (series) {
      if (!series) {
        return;
      }
      failure.hidden = true;
      range.from = series.from != null ? seconds(series.from) : null;
      range.to = series.to != null ? seconds(series.to) : null;
      container.querySelectorAll('.metrics-chart').forEach(function (figure) { draw(figure, series.points || []); });
      container.setAttribute('data-loaded', String(Date.now()));
      next();
    }).catch(function (e) {
      failure.textContent = 'The metrics could not be read: ' + e.message;
      failure.hidden = false;
      next();
    });
  }

  function start() {
    var container = document.getElementById('metrics-charts');
    if (!container || typeof uPlot === 'undefined') {
      return;
    }
    load(container);
    window.addEventListener('resize', function () {
      container.querySelectorAll('.metrics-chart').forEach(function (figure) {
        var chart = charts[figure.getAttribute('data-metric')];
        if (chart) {
          chart.setSize({width: width(figure.querySelector('.metrics-plot')), height: 180});
        }
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
