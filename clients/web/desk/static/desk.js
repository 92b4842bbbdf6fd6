/* ReturnLedger web desk: live queue (Server-Sent Events), a return's state, the connection
   banner, and keeping what was typed. Plain JavaScript, no library; loaded from this desk only. */
(function () {
  'use strict';
  var body = document.body;
  var banner = document.getElementById('banner');
  var hideTimer = null;
  var downShown = false;

  function show(text, kind) {
    if (!banner) { return; }
    clearTimeout(hideTimer);
    banner.textContent = text;
    banner.className = 'banner ' + (kind || 'down');
    banner.hidden = false;
  }
  function recovered(ev) {
    if (body.getAttribute('data-retry') === 'yes' && ev) { location.reload(); return; }
    body.setAttribute('data-live', 'yes');
    if (ev && ev.type === 'up') { resync(); }  /* pushes may have been missed in between */
    if (!downShown) { return; }
    downShown = false;
    show(body.getAttribute('data-msg-up'), 'up');
    hideTimer = setTimeout(function () { banner.hidden = true; }, 4000);
    if (!ev || ev.type !== 'up') { resync(); }
  }
  function down(kind) {
    downShown = true;
    body.setAttribute('data-live', 'no');
    show(body.getAttribute(kind === 'desk' ? 'data-msg-desk-down' : 'data-msg-down'), 'down');
  }

  function get(url, asJson) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': asJson ? 'application/json' : 'text/html' } });
  }

  /* ---- the review queue ---- */
  var queueBox = document.getElementById('queue');
  var news = document.getElementById('queue-news');

  function counts() {
    [['pending-list', 'pending-count', 'pending-empty'], ['second-list', 'second-count', 'second-empty']].forEach(function (ids) {
      var list = document.getElementById(ids[0]);
      if (!list) { return; }
      var n = list.querySelectorAll('li.qcard').length;
      var c = document.getElementById(ids[1]);
      if (c) { c.textContent = String(n); }
      var empty = document.getElementById(ids[2]);
      if (empty) { empty.hidden = n > 0; }
    });
  }

  function resync() {
    if (!queueBox) { return; }
    get('/queue/list').then(function (r) {
      if (r.status === 401) { location.href = '/signin?why=idle'; return null; }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html) { queueBox.innerHTML = html; counts(); }
    }).catch(function () { /* the banner says it */ });
  }

  function onPush(data) {
    if (!queueBox) { return; }
    if (data.kind === 'pending' || data.kind === 'second_review') {
      var listId = data.kind === 'pending' ? 'pending-list' : 'second-list';
      get('/queue/card/' + encodeURIComponent(data.id)).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
        var list = document.getElementById(listId);
        if (!html || !list) { resync(); return; }
        var old = document.getElementById('q-' + data.id);
        if (old) { old.parentNode.removeChild(old); }
        var holder = document.createElement('ul');
        holder.innerHTML = html.trim();
        var card = holder.firstElementChild;
        if (card) { list.insertBefore(card, list.firstChild); }
        counts();
        if (news) { news.textContent = (news.getAttribute('data-new') || '') + ': ' + data.id + ' · ' + (data.amount || '') + ' · ' + (data.location || ''); }
      }).catch(function () { /* picked up at the next resync */ });
    } else if (data.kind === 'closed') {
      var card = document.getElementById('q-' + data.id);
      if (card) { card.parentNode.removeChild(card); counts(); }
      if (news) { news.textContent = data.id + ' → ' + data.state; }
    } else if (data.kind === 'overflow') {
      resync();
    }
  }

  /* ---- live events: pushes and the server's state ---- */
  var source = null;
  function connect() {
    if (!window.EventSource) { return; }
    source = new EventSource('/events');
    source.addEventListener('hello', recovered);
    source.addEventListener('up', recovered);
    source.addEventListener('down', function () { down('server'); });
    source.addEventListener('push', function (ev) {
      try { onPush(JSON.parse(ev.data)); } catch (e) { resync(); }
    });
    source.addEventListener('signedout', function () {
      source.close();
      location.href = '/signin?why=idle';
    });
    source.onerror = function () {
      if (source.readyState === 2) { /* closed for good: refused (401) or gone */
        get('/me.json', true).then(function (r) {
          if (r.status === 401) { location.href = '/signin?why=idle'; return; }
          setTimeout(connect, 1500);
        }).catch(function () { down('desk'); setTimeout(connect, 1500); });
      } else {
        down('desk'); /* EventSource tries again by itself */
      }
    };
  }
  if (body.getAttribute('data-signed-in') === 'yes') { connect(); }

  /* ---- a return's state, followed by itself (clerks may not WATCH: this asks every second) ---- */
  var ret = document.getElementById('return');
  if (ret && ret.getAttribute('data-poll') === 'yes') {
    var rid = ret.getAttribute('data-id');
    var failures = 0;
    var timer = setInterval(function () {
      get('/returns/' + encodeURIComponent(rid) + '/state', true).then(function (r) {
        if (r.status === 401) { location.href = '/signin?why=idle'; return null; }
        if (r.status === 503) { throw new Error('unreachable'); }
        return r.json();
      }).then(function (s) {
        if (!s || s.error) { return; }
        if (failures) { failures = 0; recovered(); }
        var tag = document.getElementById('state');
        if (tag && tag.getAttribute('data-state') !== s.state) {
          tag.textContent = s.state_text;
          tag.setAttribute('data-state', s.state);
          tag.className = 'tag state-' + s.state;
        }
        if (s.doc) {
          document.getElementById('doc-number').textContent = s.doc;
          document.getElementById('doc-link').setAttribute('href', '/docs/' + s.doc);
          document.getElementById('slip-receipt').setAttribute('href', '/docs/' + s.doc + '/slip');
          document.getElementById('slip-a4').setAttribute('href', '/docs/' + s.doc + '/slip?format=a4');
          document.getElementById('doc-line').hidden = false;
        }
        if (s.state !== 'pending' && s.state !== 'second_review' && (s.doc || s.state === 'rejected' || s.state === 'cancelled')) {
          clearInterval(timer);
          var review = document.getElementById('review');
          if (review) { review.hidden = true; }
        }
      }).catch(function () { failures += 1; down('server'); });
    }, 1000);
  }

  /* ---- nothing typed is lost: forms with data-keep remember their fields in this tab ---- */
  Array.prototype.forEach.call(document.querySelectorAll('form[data-keep]'), function (form) {
    var key = 'keep:' + form.getAttribute('data-keep');
    var fields = form.querySelectorAll('input:not([type=hidden]):not([type=password]), select, textarea');
    try {
      var saved = JSON.parse(sessionStorage.getItem(key) || 'null');
      if (saved) {
        Array.prototype.forEach.call(fields, function (f) {
          if (!(f.name in saved)) { return; }
          if (f.type === 'checkbox' || f.type === 'radio') { if (!f.checked) { f.checked = saved[f.name] === f.value; } }
          else if (!f.value || f.value === f.defaultValue) { f.value = saved[f.name]; }
        });
      }
    } catch (e) { /* storage off: fine */ }
    form.addEventListener('input', function () {
      var out = {};
      Array.prototype.forEach.call(fields, function (f) {
        if ((f.type === 'checkbox' || f.type === 'radio') && !f.checked) { return; }
        out[f.name] = f.value;
      });
      try { sessionStorage.setItem(key, JSON.stringify(out)); } catch (e) { /* full or off */ }
    });
  });
  if (document.querySelector('.flash.ok')) {
    try {
      Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf('keep:') === 0) { sessionStorage.removeItem(k); } });
    } catch (e) { /* nothing */ }
  }

  /* ---- back to a form that could not be sent ---- */
  Array.prototype.forEach.call(document.querySelectorAll('[data-back]'), function (b) {
    b.addEventListener('click', function () { history.back(); });
  });

  /* ---- the receipt's print button ---- */
  Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
}());
