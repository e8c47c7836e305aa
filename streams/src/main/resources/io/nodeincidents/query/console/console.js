// Draws each zone's buddy free lists as bars (free blocks per order), the failed order in red.
(function () {
  document.querySelectorAll('.buddy-chart').forEach(function (el) {
    var blocks = JSON.parse(el.dataset.blocks);
    var failed = parseInt(el.dataset.failedOrder, 10);
    var orders = blocks.map(function (_, i) { return i; });
    var width = Math.min(el.clientWidth || 600, 640);
    var bars = uPlot.paths.bars({ size: [0.7, 40] });
    var chart = new uPlot({
      width: width, height: 240,
      scales: { x: { time: false, range: [-0.5, blocks.length - 0.5] }, y: { distr: 3 } },
      axes: [{ label: 'order (block = 2^order pages)', values: function (u, v) { return v.map(function (o) { return Number.isInteger(o) ? o : ''; }); } },
             { label: 'free blocks (log)' }],
      series: [{}, {
        label: 'free blocks', paths: bars, points: { show: false },
        fill: function (u, i) { return 'rgba(54, 102, 204, 0.7)'; },
        stroke: '#36c'
      }],
      hooks: { draw: [function (u) {
        if (isNaN(failed)) { return; }
        var x = u.valToPos(failed, 'x', true);
        var ctx = u.ctx;
        ctx.save(); ctx.strokeStyle = '#b00020'; ctx.lineWidth = 3;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.restore();
      }] }
    }, [orders, blocks.map(function (b) { return Math.max(b, 0.9); })], el);
    el.dataset.bars = String(blocks.length);
    el.dataset.drawn = 'true';
    el.chart = chart;
  });
})();
// Draws time series: the free blocks of each watched order over the host's samples (log scale), or the host's
// events per time bucket (bars).
(function () {
  document.querySelectorAll('.series-chart').forEach(function (el) {
    var times = JSON.parse(el.dataset.times);
    var series = JSON.parse(el.dataset.series);
    var names = Object.keys(series);
    var log = el.dataset.log === 'true';
    var bars = el.dataset.bars === 'true';
    var colors = ['#36c', '#b00020', '#2a7', '#a60', '#70a'];
    var chart = new uPlot({
      width: Math.min(el.clientWidth || 600, 640), height: 240,
      scales: { y: log ? { distr: 3 } : { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { label: log ? 'free blocks (log)' : 'events' }],
      series: [{}].concat(names.map(function (name, i) {
        var s = { label: name, stroke: colors[i % colors.length], width: 2 };
        if (bars) {
          s.paths = uPlot.paths.bars({ size: [0.8, 30], align: 1 });
          s.fill = colors[i % colors.length];
          s.points = { show: false };
        }
        return s;
      }))
    }, [times].concat(names.map(function (name) {
      return series[name].map(function (b) { return log ? Math.max(b, 0.9) : b; });
    })), el);
    el.dataset.points = String(times.length);
    el.dataset.drawn = 'true';
    el.chart = chart;
  });
})();
// The sign-in form: keeps the token in a cookie the console's pages send (browsers cannot send a bearer header).
(function () {
  var form = document.getElementById('sign-in');
  if (!form) { return; }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var token = document.getElementById('token').value;
    document.cookie = 'nodeincidents_token=' + encodeURIComponent(token) + '; path=/console; SameSite=Strict'
      + (location.protocol === 'https:' ? '; Secure' : '');
    // back to the page that asked, if it is a console page of this server (never another site)
    var next = new URLSearchParams(location.search).get('next') || '/console';
    if (!/^\/console(\/|\?|$)/.test(next) || next.indexOf('//') >= 0 || next.indexOf('\\') >= 0) {
      next = '/console';
    }
    location.assign(next);
  });
})();
