// GOV.UK Frontend's components (error summary focus, service navigation toggle, ...)
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();

/**
 * The timeout warning. The page knows how long its session has left; five minutes before
 * the end a dialog says so, counting down, with "Stay signed in" (or Escape) to carry on.
 * At the end nothing is thrown away: the dialog says the user is signed out, and a form
 * sent then is kept for them until they sign in again.
 */
function timeoutWarning(root) {
  const dialog = root.querySelector('dialog');
  const countdown = root.querySelector('.app-timeout-countdown');
  const message = root.querySelector('#app-timeout-message');
  const after = root.querySelector('.app-timeout-after');
  const stay = root.querySelector('.app-timeout-stay');
  const token = dialog.querySelector('input[name="_csrf"]').value;
  const warnMs = Number(root.dataset.warnSeconds) * 1000;
  let deadline = Date.now() + Number(root.dataset.secondsLeft) * 1000;
  let opener = null;
  let said = '';

  const words = (ms) => {
    const minutes = Math.ceil(ms / 60000);
    if (ms > 60000) return `${minutes} minutes`;
    const seconds = Math.max(0, Math.ceil(ms / 20000) * 20);
    return seconds === 60 ? '1 minute' : `${seconds} seconds`;
  };

  const tick = () => {
    const left = deadline - Date.now();
    if (left > warnMs) return;
    if (!dialog.open && !stay.hidden) {
      opener = document.activeElement;
      dialog.showModal();
    }
    if (left <= 0) {
      if (stay.hidden) return;
      message.hidden = true;
      after.hidden = false;
      stay.hidden = true;
      return;
    }
    // Changed every twenty seconds at most, so a screen reader is not talked over.
    const text = words(left);
    if (text !== said) countdown.textContent = said = text;
  };

  const keepAlive = async () => {
    const res = await fetch('/session/keep-alive', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ _csrf: token }),
      credentials: 'same-origin',
    });
    if (!res.ok) {
      deadline = Date.now();
      tick();
      return;
    }
    deadline = Date.now() + (await res.json()).secondsLeft * 1000;
    dialog.close();
    if (opener && typeof opener.focus === 'function') opener.focus();
  };

  stay.addEventListener('click', keepAlive);
  // Escape means "stay signed in", as in GOV.UK's pattern; once signed out, it just closes the dialog.
  dialog.addEventListener('cancel', (event) => {
    if (stay.hidden) return;
    event.preventDefault();
    keepAlive();
  });
  setInterval(tick, 1000);
  tick();
}

const timeoutRoot = document.querySelector('[data-module="app-timeout"]');
if (timeoutRoot && typeof HTMLDialogElement === 'function') timeoutWarning(timeoutRoot);
