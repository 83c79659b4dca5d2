// Media library upload with a progress bar. Without JavaScript the form posts normally.
(function () {
  'use strict';
  var form = document.getElementById('media-upload');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var bar = document.getElementById('media-upload-progress');
  var status = document.getElementById('media-upload-status');
  var token = document.querySelector('meta[name="csrf-token"]');
  var maxBytes = Number(form.getAttribute('data-max-bytes')) || 0;

  form.addEventListener('submit', function (event) {
    var input = form.querySelector('input[type=file]');
    var file = input && input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    if (maxBytes && file.size > maxBytes) {
      status.textContent = 'Tệp quá lớn (' + Math.round(file.size / 1048576) + ' MB). File too large.';
      return;
    }
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('data-api'));
    if (token) xhr.setRequestHeader('X-CSRF-Token', token.getAttribute('content'));
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    bar.value = 0;
    status.textContent = '';
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener('load', function () {
      if (xhr.status === 201) {
        bar.value = 100;
        window.location.reload();
        return;
      }
      var message = 'Lỗi ' + xhr.status;
      try {
        message = JSON.parse(xhr.responseText).error.message;
      } catch {
        /* not JSON: keep the status */
      }
      bar.hidden = true;
      status.textContent = message;
    });
    xhr.addEventListener('error', function () {
      bar.hidden = true;
      status.textContent = 'Mất kết nối. Connection lost.';
    });
    xhr.send(data);
  });
})();
