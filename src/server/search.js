(function () {
  var q = document.getElementById('q');
  if (!q) return;
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== q) { e.preventDefault(); q.focus(); q.select(); }
  });
  var results = document.getElementById('results');
  if (!results || !window.fetch) return;
  var timer;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var v = q.value.trim();
      var url = v ? '/?q=' + encodeURIComponent(v) : '/';
      fetch(url + (v ? '&' : '?') + 'partial=1').then(function (r) {
        if (r.ok) return r.text().then(function (t) { results.innerHTML = t; history.replaceState(null, '', url); });
        // Say why (an open quote, an empty cause:) instead of leaving the
        // last results under a query they do not answer.
        return fetch('/api/search?q=' + encodeURIComponent(v)).then(function (a) { return a.json(); }).then(function (j) {
          var box = document.createElement('div'); box.className = 'empty';
          var p = document.createElement('p'); p.textContent = j.error || 'This query cannot be searched.';
          box.appendChild(p); results.replaceChildren(box);
        });
      }).catch(function () {});
    }, 250);
  });
})();
