// Draws the dashboard's charts from the JSON beside each canvas (the table under each chart is
// its text alternative). Animation is off so a printed page, or a PDF saved by the browser,
// captures the finished chart rather than its first frame.
(function () {
  'use strict';
  var palette = ['#1864ab', '#c2255c', '#2b8a3e', '#e67700', '#5f3dc4', '#0b7285'];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute('data-chart'));
    var Chart = window.Chart;
    if (!source || !Chart) return;
    var spec = JSON.parse(source.textContent || '{}');
    var line = spec.type === 'line';
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          var color = palette[i % palette.length];
          return {
            label: d.label,
            data: d.data,
            borderColor: color,
            backgroundColor: line ? color : color + 'cc',
            borderWidth: 2,
            pointRadius: line ? 2 : 0,
            tension: 0.2,
            spanGaps: true,
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function resizeAll() {
    if (!window.Chart) return;
    Object.values(window.Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  }

  document.querySelectorAll('canvas[data-chart]').forEach(draw);
  // Paper is narrower than the screen: charts take the printed width, then the screen's again.
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
