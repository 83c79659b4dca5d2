// The members area: the copy button of a new invitation link. The clipboard API needs a secure
// context; elsewhere (plain http on a local network) the link field is selected and copied.
(function () {
  'use strict';

  function copyText(text, field) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      if (!field) return reject(new Error('nothing to copy from'));
      field.focus();
      field.select();
      if (document.execCommand('copy')) resolve();
      else reject(new Error('copy failed'));
    });
  }

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('button.copy-link') : null;
    if (!button) return;
    var text = button.getAttribute('data-copy') || '';
    var field = document.getElementById('invitation-link');
    copyText(text, field).then(
      function () {
        button.setAttribute('data-copied', 'true');
        button.textContent = '✓ ' + button.getAttribute('data-copied-label');
      },
      function () {
        if (field) field.select();
      },
    );
  });
})();
