// The post calendar: FullCalendar (served from node_modules), week and month views; dragging a
// post sends PATCH /api/v1/posts/:id with the new time and puts it back if Loa refuses.
document.addEventListener('DOMContentLoaded', () => {
  const el = document.getElementById('calendar');
  if (!el || !window.FullCalendar) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const errorBox = document.getElementById('calendar-error');
  const narrow = window.matchMedia('(max-width: 576px)').matches;
  const calendar = new window.FullCalendar.Calendar(el, {
    initialView: narrow ? 'listWeek' : 'timeGridWeek',
    locale: el.dataset.locale,
    timeZone: 'local',
    firstDay: 1,
    nowIndicator: true,
    height: 'auto',
    headerToolbar: {
      left: 'prev,next today',
      center: 'title',
      right: narrow ? 'listWeek,dayGridMonth' : 'timeGridWeek,dayGridMonth',
    },
    buttonText: {
      today: el.dataset.today,
      week: el.dataset.week,
      month: el.dataset.month,
      list: el.dataset.week,
    },
    events: el.dataset.events,
    editable: true,
    eventDurationEditable: false,
    eventDrop: async (info) => {
      errorBox.hidden = true;
      const res = await fetch(`/api/v1/posts/${info.event.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({
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
