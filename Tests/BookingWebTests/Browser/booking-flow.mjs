// Drives headless Chromium over the DevTools protocol (--remote-debugging-pipe: NUL-separated
// JSON on fds 3 and 4, no WebSocket library needed) through the booking page like a person:
// sign in on the demo login page, pick a date, book a free slot of one desk, find it under
// "My bookings", cancel it. Prints one JSON line; exits 1 with the reason on failure.
// Usage: node booking-flow.mjs BASE_URL PERSON DATE RESOURCE_ID PROFILE_DIR
import { spawn } from 'node:child_process';

const [, , base, person, date, resourceId, profile, siteId = 'zurich'] = process.argv;
const chrome = spawn(process.env.CHROMIUM || 'chromium',
  ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
   '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--window-size=390,844', 'about:blank'],
  { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });

let nextId = 0;
let buffer = '';
const pending = new Map();
chrome.stdio[4].on('data', (chunk) => {
  buffer += chunk.toString();
  let end;
  while ((end = buffer.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    const waiter = message.id && pending.get(message.id);
    if (waiter) {
      pending.delete(message.id);
      if (message.error) { waiter.reject(new Error(JSON.stringify(message.error))); } else { waiter.resolve(message.result); }
    }
  }
});
function send(method, params = {}, sessionId) {
  const message = { id: ++nextId, method, params };
  if (sessionId) { message.sessionId = sessionId; }
  chrome.stdio[3].write(JSON.stringify(message) + '\0');
  return new Promise((resolve, reject) => pending.set(message.id, { resolve, reject }));
}

let sessionId;
async function evaluate(expression) {
  const result = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
  if (result.exceptionDetails) { throw new Error(JSON.stringify(result.exceptionDetails)); }
  return result.result.value;
}
// Polls a condition in the page until it holds or the deadline passes (the page works
// asynchronously; there is nothing else to wait on).
async function waitFor(expression, what, milliseconds = 20000) {
  const deadline = Date.now() + milliseconds;
  while (Date.now() < deadline) {
    try { if (await evaluate(expression)) { return; } } catch (error) { /* page navigating */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const text = await evaluate('document.body ? document.body.innerText : ""').catch(() => '');
  throw new Error(`timed out waiting for ${what}; the page says: ${text.slice(0, 500)}`);
}

try {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  ({ sessionId } = await send('Target.attachToTarget', { targetId, flatten: true }));
  await send('Page.navigate', { url: `${base}/login` }, sessionId);
  const login = `document.querySelector('li[data-subject="${person}"] button.login')`;
  await waitFor(`${login} !== null`, 'the login page');
  await evaluate(`${login}.click()`);
  await waitFor(`location.pathname === '/' && document.body.dataset.ready === 'yes'`, 'the booking page');
  // Choose the site as a person would (other tests add sites that may sort first), with the date set before the page reloads the catalog.
  await evaluate(`(() => { document.getElementById('date').value = '${date}'; const s = document.getElementById('site'); s.value = '${siteId}'; s.dispatchEvent(new Event('change')); })()`);
  const slotButton = `document.querySelector('[data-resource-id="${resourceId}"] .slots button')`;
  await waitFor(`${slotButton} !== null`, `free slots of ${resourceId}`);
  const start = await evaluate(`(() => { const b = ${slotButton}; b.click(); return b.dataset.start; })()`);
  await waitFor(`document.getElementById('message').className === 'ok'`, 'the booking confirmation');
  const mine = `Array.from(document.querySelectorAll('#mine li[data-booking-id]')).find((li) => li.textContent.includes('${resourceId}'))`;
  await waitFor(`${mine} !== undefined`, 'the booking under My bookings');
  const bookingId = await evaluate(`${mine}.dataset.bookingId`);
  await evaluate(`${mine}.querySelector('button.cancel').click()`);
  await waitFor(`document.getElementById('message').textContent === 'Cancelled.' && !document.querySelector('#mine li[data-booking-id="${bookingId}"]')`,
    'the cancellation');
  console.log(JSON.stringify({ ok: true, bookingId, start }));
  chrome.kill();
  process.exit(0);
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error.message || error) }));
  chrome.kill();
  process.exit(1);
}
