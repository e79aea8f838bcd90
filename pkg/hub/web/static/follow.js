// Follows a task's log: appends what getfile has past the offset read so
// far, every two seconds, until the task has finished and nothing is left.
(function () {
  var pre = document.getElementById("log");
  if (!pre) { return; }
  var file = pre.getAttribute("data-file"), task = pre.getAttribute("data-task");
  var state = document.getElementById("state");
  var offset = 0, done = false, stick = true, decoder = new TextDecoder("utf-8");
  pre.addEventListener("scroll", function () {
    stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  });
  function finished(s) { return s === 2 || s === 3 || s === 5; }
  function poll() {
    var wasDone = done;
    fetch(task, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (t) {
      if (t && t.task) {
        var names = ["free", "open", "closed", "canceled", "assigned", "failed"];
        var n = names[t.task.state] || String(t.task.state);
        state.textContent = n; state.className = "state " + n;
        done = finished(t.task.state);
      }
      return fetch(file + "&offset=" + offset, { credentials: "same-origin" });
    }).then(function (r) {
      if (!r.ok) { return new ArrayBuffer(0); }
      return r.arrayBuffer();
    }).then(function (buf) {
      // the offset counts bytes; a character cut between two reads is
      // finished by the next (the decoder streams)
      offset += buf.byteLength;
      var text = decoder.decode(new Uint8Array(buf), { stream: true });
      if (text) {
        pre.appendChild(document.createTextNode(text));
        if (stick) { pre.scrollTop = pre.scrollHeight; }
      }
      if (!(wasDone && !text)) { setTimeout(poll, done ? 500 : 2000); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
