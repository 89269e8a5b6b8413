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
    if (root.dataset.speech && q.question_id !== null) {
      // Read aloud (?speech=1 and espeak-ng on the server); OBS plays a source's audio.
      const audio = new Audio(root.dataset.speech + "?q=" + q.question_id + "&at=" + q.since);
      audio.play().catch(function () { root.dataset.spoke = "blocked"; });
      root.dataset.spoke = String(q.question_id);
    }
  });
})();
