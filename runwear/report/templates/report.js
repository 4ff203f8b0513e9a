(function () {
  "use strict";
  var tip = document.getElementById("tip");
  function place(target, event) {
    var el = target && target.closest ? target.closest("[data-tip]") : null;
    if (!el) {
      tip.hidden = true;
      return;
    }
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    var x = event.pageX + 12;
    var room = document.documentElement.clientWidth - tip.offsetWidth - 8;
    tip.style.left = Math.max(4, Math.min(x, room)) + "px";
    tip.style.top = event.pageY + 14 + "px";
  }
  document.addEventListener("mousemove", function (e) { place(e.target, e); });
  document.addEventListener("click", function (e) { place(e.target, e); });
  document.documentElement.setAttribute("data-js", "ready");
})();
