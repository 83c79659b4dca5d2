// The post calendar: FullCalendar (served from node_modules), week and month views, in Loa's
// time zone (LOA_TIMEZONE, through the Luxon plugin) whatever zone the browser is in. Dragging a
// post sends PATCH /api/v1/posts/:id with the new time and puts it back if Loa refuses. A window
// holding more posts than the feed returns says so and links to the post list for that period.
document.addEventListener('DOMContentLoaded', () => {
  const el = document.getElementById('calendar');
  if (!el || !window.FullCalendar) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const errorBox = document.getElementById('calendar-error');
  const overflowBox = document.getElementById('calendar-overflow');
  const narrow = window.matchMedia('(max-width: 576px)').matches;

  /** `YYYY-MM-DD` of a FullCalendar date string (already in the calendar's zone), shifted by days. */
  const day = (str, shift) => {
    const [y, m, d] = str.slice(0, 10).split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + shift)).toISOString().slice(0, 10);
  };

  function showOverflow(total, shown, info) {
    if (total <= shown) {
      overflowBox.hidden = true;
      return;
    }
    overflowBox.querySelector('.calendar-overflow-text').textContent = el.dataset.overflow
      .replace('{total}', String(total))
      .replace('{shown}', String(shown));
    // The calendar's end is exclusive; the list's "to" is the last day included.
    const query = new URLSearchParams({ from: day(info.startStr, 0), to: day(info.endStr, -1) });
    overflowBox.querySelector('.calendar-list-link').href = `/posts?${query}`;
    overflowBox.hidden = false;
  }

  const calendar = new window.FullCalendar.Calendar(el, {
    initialView: narrow ? 'listWeek' : 'timeGridWeek',
    locale: el.dataset.locale,
    timeZone: el.dataset.timeZone || 'local',
    firstDay: 1,
    nowIndicator: true,
    height: 'auto',
    dayMaxEvents: true,
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    headerToolbar: {
      left: 'prev,next today',
      center: 'title',
      right: narrow ? 'listWeek,dayGridMonth' : 'timeGridWeek,dayGridMonth,listWeek',
    },
    buttonText: {
      today: el.dataset.today,
      week: el.dataset.week,
      month: el.dataset.month,
      list: el.dataset.list,
    },
    events: async (info, success, failure) => {
      try {
        const query = new URLSearchParams({ start: info.startStr, end: info.endStr });
        const res = await fetch(`${el.dataset.events}?${query}`, { headers: { Accept: 'application/json' } });
        if (!res.ok) throw new Error(`${el.dataset.errorPrefix} ${res.status}`);
        const events = await res.json();
        showOverflow(Number(res.headers.get('X-Total-Count') || events.length), events.length, info);
        success(events);
      } catch (error) {
        failure(error);
      }
    },
    editable: true,
    eventDurationEditable: false,
    eventDrop: async (info) => {
      errorBox.hidden = true;
      const res = await fetch(`/api/v1/posts/${info.event.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({
          // With a named time zone the Luxon plugin makes this Date the real instant.
          scheduledAt: info.event.start.toISOString(),
          version: info.event.extendedProps.version,
        }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        const details = (body.error && body.error.details) || [];
        errorBox.textContent = `${el.dataset.errorPrefix} ${(body.error && body.error.message) || res.status} ${Array.isArray(details) ? details.map((d) => d.message).join('; ') : ''}`;
        errorBox.hidden = false;
        info.revert();
        return;
      }
      calendar.refetchEvents();
    },
  });
  calendar.render();
});
