// The OBS overlay: listens to the event's server-sent events and shows the question now
// answering, large; an empty screen when the moderator clears it.
(function () {
  const root = document.getElementById("overlay");
  const stream = new EventSource(root.dataset.events);
  stream.addEventListener("screen", function (event) {
    const q = JSON.parse(event.data);
    root.hidden = q.question_id === null;
    root.dataset.question = q.question_id === null ? "" : String(q.question_id);
    document.getElementById("q-text").textContent = q.text;
    document.getElementById("q-author").textContent = q.author;
    document.getElementById("q-source").textContent = q.source;
    document.getElementById("q-votes").textContent = q.votes ? q.votes + " votes" : "";
    root.dataset.changedAt = String(Date.now()); // when the screen changed, for measuring
  });
})();
