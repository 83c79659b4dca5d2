// The share feed: one tap copies a caption; Zalo and other apps go through the phone's share
// sheet (Web Share API), or the link is copied where there is none. Each share is recorded first.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand('copy');
      document.body.removeChild(area);
      if (ok) resolve();
      else reject(new Error('copy failed'));
    });
  }

  function markCopied(button) {
    var label = button.getAttribute('data-copied-label');
    if (!label) return;
    button.classList.add('copied');
    button.setAttribute('data-copied', 'true');
    var badge = document.createElement('span');
    badge.className = 'copied-badge';
    badge.textContent = ' ✓ ' + label;
    if (!button.querySelector('.copied-badge')) button.appendChild(badge);
  }

  function base64UrlToBytes(text) {
    var padded = (text + '==='.slice((text.length + 3) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function enablePush(button) {
    if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
      button.textContent = button.getAttribute('data-unavailable');
      return;
    }
    Promise.all([
      navigator.serviceWorker.register('/assets/member-sw.js'),
      fetch('/api/v1/me/push-key', { credentials: 'same-origin' }).then(function (res) {
        return res.json();
      }),
    ])
      .then(function (results) {
        return results[0].pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: base64UrlToBytes(results[1].publicKey),
        });
      })
      .then(function (subscription) {
        return fetch('/api/v1/me/push-subscriptions', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify(subscription.toJSON()),
        });
      })
      .then(function (res) {
        if (res.ok) button.textContent = button.getAttribute('data-on');
      })
      .catch(function () {
        button.textContent = button.getAttribute('data-unavailable');
      });
  }

  document.addEventListener('click', function (event) {
    var pushButton = event.target.closest('.enable-push');
    if (pushButton) {
      enablePush(pushButton);
      return;
    }
    var copyButton = event.target.closest('[data-copy]');
    if (copyButton) {
      copyText(copyButton.getAttribute('data-copy')).then(function () {
        markCopied(copyButton);
      });
      return;
    }
    var shareButton = event.target.closest('.share-app');
    if (!shareButton) return;
    var postId = shareButton.getAttribute('data-post-id');
    var platform = shareButton.getAttribute('data-platform');
    fetch('/api/v1/feed/' + postId + '/share-intent', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ platform: platform }),
    })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error((body.error && body.error.message) || 'refused');
          return body;
        });
      })
      .then(function (body) {
        var card = shareButton.closest('.feed-card');
        var state = card && card.querySelector('.share-state');
        if (state && !state.querySelector('[data-shared="other"]')) {
          var mark = document.createElement('span');
          mark.className = 'shared-mark';
          mark.setAttribute('data-shared', 'other');
          mark.textContent = '✓';
          state.insertBefore(mark, state.firstChild);
        }
        if (navigator.share) {
          return navigator
            .share({ title: shareButton.getAttribute('data-title') || '', url: body.url })
            .catch(function () {
              return copyText(body.url);
            });
        }
        return copyText(body.url).then(function () {
          shareButton.setAttribute('data-copied', 'true');
        });
      })
      .catch(function (error) {
        window.alert(error.message);
      });
  });
})();
