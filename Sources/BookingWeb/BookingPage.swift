/// The booking page: plain HTML, CSS and JS in one document (no CDN, no build step), sized for
/// phones first. It talks only to the JSON API with the bearer token kept in local storage
/// (put there by the dev login page, or pasted).
enum BookingPage {
    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Almanac booking</title>
    <style>
    *{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:.75rem;line-height:1.4}
    h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}
    label{display:block;margin:.4rem 0}select,input,button{font-size:1rem;padding:.4rem}select,input{width:100%}
    .resource{border:1px solid #ccc;border-radius:.5rem;padding:.5rem;margin:.4rem 0}
    .taken{background:#f3f3f3;color:#777}.slots button{margin:.2rem}
    #message{padding:.5rem;border-radius:.4rem}#message.error{background:#fde8e8;color:#900}#message.ok{background:#e8f7e8;color:#060}
    #mine li{margin:.4rem 0}
    </style></head><body>
    <h1>Book a place</h1>
    <p id="who"></p>
    <div id="signin" hidden><p>You are not signed in. <a href="/login">Sign in</a> or paste a token:</p>
      <textarea id="token" rows="3" style="width:100%"></textarea><button id="use-token">Use this token</button></div>
    <div id="message" role="status" aria-live="polite"></div>
    <section id="search">
      <label>Site <select id="site"></select></label>
      <label>Date <input id="date" type="date"></label>
      <label>Kind <select id="kind">
        <option value="desk">Desk</option><option value="room">Room</option>
        <option value="parking_space">Parking space</option><option value="appointment_service">Appointment</option></select></label>
      <label>Floor <select id="floor"></select></label>
    </section>
    <h2>Free and taken</h2><div id="resources"></div>
    <h2>My bookings</h2><ul id="mine"></ul>
    <script>
    var token = localStorage.getItem('almanac.token');
    var catalog = null;
    function $(id) { return document.getElementById(id); }
    function key() { return (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + '-' + String(Math.random()).slice(2); }
    function say(text, ok) { var m = $('message'); m.textContent = text; m.className = ok ? 'ok' : 'error'; }
    async function api(method, path, body) {
      var headers = {'Authorization': 'Bearer ' + token};
      if (body !== undefined) { headers['Content-Type'] = 'application/json'; headers['Idempotency-Key'] = key(); }
      var response = await fetch(path, {method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)});
      var data = await response.json().catch(function () { return {}; });
      if (response.status === 401) { $('signin').hidden = false; }
      if (!response.ok) { throw new Error(data.detail || ('The server answered ' + response.status)); }
      return data;
    }
    function zone() { return catalog ? catalog.site.timeZone : 'UTC'; }
    function time(iso) { return new Date(iso).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', timeZone: zone()}); }
    function day(iso) { return new Date(iso).toLocaleDateString([], {weekday: 'short', day: 'numeric', month: 'short', timeZone: zone()}); }
    async function loadSites() {
      var sites = await api('GET', '/api/sites');
      $('site').innerHTML = sites.map(function (s) { return '<option value="' + s.siteId + '">' + s.name + '</option>'; }).join('');
      await loadCatalog();
    }
    async function loadCatalog() {
      catalog = await api('GET', '/api/sites/' + $('site').value + '?kind=' + $('kind').value);
      var used = {};
      catalog.resources.forEach(function (r) { used[r.floorId] = true; });
      $('floor').innerHTML = catalog.floors.filter(function (f) { return used[f.floorId]; })
        .map(function (f) { return '<option value="' + f.floorId + '">' + f.name + ' (' + f.buildingId + ')</option>'; }).join('');
      await loadAvailability();
    }
    async function loadAvailability() {
      var list = $('resources');
      list.textContent = 'Loading…';
      var path = '/api/sites/' + $('site').value + '/availability?date=' + $('date').value + '&kind=' + $('kind').value;
      if ($('floor').value) { path += '&floorId=' + $('floor').value; }
      var result = await api('GET', path);
      list.innerHTML = '';
      result.forEach(function (entry) {
        var div = document.createElement('div');
        div.className = 'resource' + (entry.fullyTaken ? ' taken' : '');
        div.dataset.resourceId = entry.resource.resourceId;
        div.innerHTML = '<strong>' + entry.resource.name + '</strong> ' + (entry.fullyTaken ? '— taken' : '— free') + '<div class="slots"></div>';
        entry.freeSlots.forEach(function (slot) {
          var button = document.createElement('button');
          button.textContent = time(slot.start) + '–' + time(slot.end);
          button.dataset.start = slot.start;
          button.addEventListener('click', function () { book(entry.resource, slot); });
          div.querySelector('.slots').appendChild(button);
        });
        list.appendChild(div);
      });
      if (result.length === 0) { list.textContent = 'Nothing of this kind on this floor.'; }
    }
    async function book(resource, slot) {
      try {
        var answer = await api('POST', '/api/bookings', {siteId: $('site').value, resourceId: resource.resourceId, start: slot.start, end: slot.end,
          bookerTimeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'});
        say('Booked ' + resource.name + ' on ' + day(slot.start) + ' at ' + time(slot.start) + '.'
          + (answer.readModelCurrent === false ? ' It may take a moment to appear under My bookings.' : ''), true);
      } catch (error) { say(error.message, false); }
      await refresh();
    }
    async function loadMine() {
      var mine = await api('GET', '/api/me/bookings');
      var list = $('mine');
      list.innerHTML = '';
      mine.forEach(function (b) {
        var item = document.createElement('li');
        item.dataset.bookingId = b.bookingId;
        item.textContent = b.resourceId + ', ' + day(b.start) + ' ' + time(b.start) + '–' + time(b.end) + ' ';
        var cancel = document.createElement('button');
        cancel.textContent = 'Cancel';
        cancel.className = 'cancel';
        cancel.addEventListener('click', async function () {
          try { await api('POST', '/api/bookings/' + b.bookingId + '/cancel', {resourceId: b.resourceId}); say('Cancelled.', true); }
          catch (error) { say(error.message, false); }
          await refresh();
        });
        var later = document.createElement('button');
        later.textContent = '1 hour later';
        later.addEventListener('click', async function () {
          var hour = 3600 * 1000;
          try {
            await api('POST', '/api/bookings/' + b.bookingId + '/change', {resourceId: b.resourceId,
              start: new Date(Date.parse(b.start) + hour).toISOString().replace('.000', ''), end: new Date(Date.parse(b.end) + hour).toISOString().replace('.000', '')});
            say('Moved one hour later.', true);
          } catch (error) { say(error.message, false); }
          await refresh();
        });
        item.appendChild(cancel); item.appendChild(later);
        list.appendChild(item);
      });
      if (mine.length === 0) { list.innerHTML = '<li>No bookings yet.</li>'; }
    }
    async function refresh() { try { await loadAvailability(); await loadMine(); } catch (error) { say(error.message, false); } }
    $('use-token').addEventListener('click', function () { localStorage.setItem('almanac.token', $('token').value.trim()); location.reload(); });
    ['site', 'kind'].forEach(function (id) { $(id).addEventListener('change', function () { loadCatalog().catch(function (e) { say(e.message, false); }); }); });
    ['date', 'floor'].forEach(function (id) { $(id).addEventListener('change', refresh); });
    var tomorrow = new Date(Date.now() + 86400000);
    $('date').value = tomorrow.toISOString().slice(0, 10);
    if (!token) { $('signin').hidden = false; } else {
      $('who').textContent = 'Signed in as ' + (localStorage.getItem('almanac.name') || 'you') + '.';
      loadSites().then(loadMine).then(function () { document.body.dataset.ready = 'yes'; }).catch(function (e) { say(e.message, false); });
    }
    </script></body></html>
    """#
}
