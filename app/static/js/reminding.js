// Reminders without outside services: due ones are shown when the app opens, and notified
// (when the person allowed notifications) while it is open.

import { localDate } from './dates.js';
import { html, useEffect, useState } from './html.js';
import { dueReminders, reminderText } from './reminders.js';
import { useApp, useRecords } from './ui.js';

const SEEN = 'reminders_seen';
const NOTIFIED = 'reminders_notified';

async function notify(text, tag) {
  if (globalThis.Notification?.permission !== 'granted') return;
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    if (registration) await registration.showNotification('Pacewise', { body: text, tag, icon: '/static/icons/icon-192.png' });
    else new Notification('Pacewise', { body: text, tag });
  } catch {
    // Some browsers refuse notifications from a page; the banner still shows.
  }
}

export function ReminderBanner() {
  const { store } = useApp();
  const reminders = useRecords('reminder');
  const entries = useRecords('diary_entry');
  const [seen, setSeen] = useState(null);
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    store.getMeta(SEEN).then((value) => setSeen(value ?? {}));
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const today = localDate(now);
  const loggedToday = (entries ?? []).some((e) => e.local_date === today);
  const due = reminders && seen
    ? dueReminders(reminders, now, seen).filter((r) => !(r.kind === 'daily_log' && loggedToday))
    : [];

  useEffect(() => {
    if (due.length === 0) return;
    store.getMeta(NOTIFIED).then(async (notified = {}) => {
      const fresh = due.filter((r) => notified[r.id] !== today);
      if (fresh.length === 0) return;
      for (const reminder of fresh) {
        notified[reminder.id] = today;
        await notify(reminderText(reminder), `reminder-${reminder.id}`);
      }
      await store.setMeta(NOTIFIED, notified);
    });
  }, [due.map((r) => r.id).join(), today]);

  if (due.length === 0) return null;
  const dismiss = async (id) => {
    const next = { ...seen, [id]: today };
    setSeen(next);
    await store.setMeta(SEEN, next);
  };
  return html`
    <section class="banner reminders" aria-label="Reminders">
      <ul class="plain">
        ${due.map((r) => html`
          <li key=${r.id}>
            <span>${reminderText(r)} <span class="hint">(${r.time})</span></span>
            <button type="button" class="secondary small" aria-label=${`Dismiss reminder: ${reminderText(r)}`}
              onClick=${() => dismiss(r.id)}>Dismiss</button>
          </li>`)}
      </ul>
    </section>`;
}
