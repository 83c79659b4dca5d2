// The shell's menus are <details> and work without this script; with it, Escape or a click
// elsewhere closes an open menu, as people expect of a menu.
document.addEventListener('DOMContentLoaded', () => {
  const menus = () => document.querySelectorAll('.app-tools details[open]');
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    for (const menu of menus()) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  document.addEventListener('click', (event) => {
    for (const menu of menus()) {
      if (!menu.contains(event.target)) menu.open = false;
    }
  });
});
