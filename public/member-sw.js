// Loa's service worker for members: shows a Web Push notification and opens the feed on a tap.
self.addEventListener('push', function (event) {
  var data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    // Not JSON: show the text as it came.
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Loa', {
      body: data.body || '',
      data: { url: data.url || '/feed' },
    }),
  );
});
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  event.waitUntil(
    self.clients.openWindow((event.notification.data && event.notification.data.url) || '/feed'),
  );
});
