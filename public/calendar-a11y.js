// FullCalendar draws its toolbar arrows as empty role="img" spans inside buttons that already
// carry a title: hidden from assistive technology so the button's name is the only one read.
// Watched because FullCalendar redraws the toolbar when the view or the date changes.
document.addEventListener('DOMContentLoaded', () => {
  const el = document.getElementById('calendar');
  if (!el) return;
  const hideIcons = () => {
    for (const icon of el.querySelectorAll('.fc-icon[role="img"]:not([aria-hidden])')) {
      icon.setAttribute('aria-hidden', 'true');
    }
  };
  new MutationObserver(hideIcons).observe(el, { childList: true, subtree: true });
  hideIcons();
});
