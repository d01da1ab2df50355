// Calendar: a lead drags a queued post onto another day (week view: onto an hour of a day) to move it.
// It sends the post's own "Move to…" form (same endpoint, CSRF token and server rules), then shows the
// calendar as the server now has it, and the server's answer in a live region. Without this script, or
// on a phone or touch screen, the form alone does the job.
(() => {
  const table = document.querySelector("table.calendar");
  const status = document.getElementById("calendar-move-status");
  if (!table || !status || !table.tBodies.length) return;
  const canDrag = window.matchMedia("(min-width: 601px) and (pointer: fine)");
  const isWeek = table.classList.contains("calendar-week");
  let dragged = null;
  let busy = false;

  const two = (n) => String(n).padStart(2, "0");

  // Week view: hour targets inside each day, shown only while a post is dragged (mouse only).
  function addHourSlots() {
    if (!isWeek) return;
    table.querySelectorAll("td[data-date]").forEach((cell) => {
      if (cell.querySelector(".hour-slots")) return;
      const slots = document.createElement("ol");
      slots.className = "hour-slots";
      slots.setAttribute("aria-hidden", "true");
      for (let hour = 0; hour < 24; hour += 1) {
        const slot = document.createElement("li");
        slot.dataset.hour = two(hour);
        slot.textContent = two(hour);
        slots.append(slot);
      }
      cell.append(slots);
    });
  }

  function setDraggable() {
    table.querySelectorAll(".calendar-post[data-movable]").forEach((chip) => {
      const open = chip.querySelector("details[open]");
      chip.draggable = canDrag.matches && !open;
      // Links drag their address by default; the whole post is what moves.
      chip.querySelectorAll("a").forEach((link) => { link.draggable = false; });
    });
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = `calendar-move-status${kind ? ` flash flash-${kind}` : ""}`;
    if (text) status.scrollIntoView({ block: "nearest" });
  }

  function clearTargets() {
    table.classList.remove("is-dragging");
    table.querySelectorAll(".drop-over").forEach((el) => el.classList.remove("drop-over"));
    table.querySelectorAll(".is-dragging").forEach((el) => el.classList.remove("is-dragging"));
  }

  function targetOf(event) {
    const cell = event.target.closest("td[data-date]");
    if (!cell || !table.contains(cell)) return null;
    const slot = event.target.closest("[data-hour]");
    return { cell, slot, marked: slot || cell };
  }

  async function page(url, init) {
    const response = await fetch(url, { credentials: "same-origin", ...init });
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    return { response, doc };
  }

  // The calendar as the server now has it: the moved post in its new slot, or still in its old one.
  async function refresh(doc, url) {
    let fresh = doc.querySelector("table.calendar");
    if (url !== window.location.href) {
      // The answer shows the same week or month; this page may also filter by campaign.
      fresh = (await page(window.location.href)).doc.querySelector("table.calendar") || fresh;
    }
    table.tBodies[0].replaceWith(fresh.tBodies[0]);
    addHourSlots();
    setDraggable();
  }

  async function move(chip, at) {
    const form = chip.querySelector("details.move-to form");
    if (!form) return;
    const body = new FormData(form);
    body.set("at", at);
    busy = true;
    say(status.dataset.moving, "");
    try {
      const { response, doc } = await page(form.action, { method: "POST", body });
      const flash = doc.querySelector("main .flash");
      // A refusal answers with the calendar and the reason; anything else (signed out, an error
      // page) is shown by sending the form the ordinary way.
      if (!response.ok || !flash || !doc.querySelector("table.calendar")) {
        form.querySelector("input[name=at]").value = at;
        form.submit();
        return;
      }
      await refresh(doc, response.url);
      const kind = flash.classList.contains("flash-error") ? "error" : "success";
      say(flash.textContent.trim(), kind);
      if (kind === "success") {
        const moved = table.querySelector(`.calendar-post[data-post-id="${chip.dataset.postId}"]`);
        if (moved) moved.classList.add("just-moved");
      }
    } catch {
      say(status.dataset.failed, "error");
    } finally {
      busy = false;
    }
  }

  table.addEventListener("dragstart", (event) => {
    const chip = event.target.closest && event.target.closest(".calendar-post[data-movable]");
    if (!chip || busy || !canDrag.matches) {
      if (chip) event.preventDefault();
      return;
    }
    dragged = chip;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.postId);
    chip.classList.add("is-dragging");
    // Shown a moment later: changing the layout inside dragstart can cancel the drag in some browsers.
    window.setTimeout(() => { if (dragged) table.classList.add("is-dragging"); }, 0);
  });

  table.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const target = targetOf(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.marked.classList.contains("drop-over")) {
      table.querySelectorAll(".drop-over").forEach((el) => el.classList.remove("drop-over"));
      target.marked.classList.add("drop-over");
    }
  });

  table.addEventListener("dragleave", (event) => {
    if (event.relatedTarget && table.contains(event.relatedTarget)) return;
    table.querySelectorAll(".drop-over").forEach((el) => el.classList.remove("drop-over"));
  });

  table.addEventListener("drop", (event) => {
    const chip = dragged;
    const target = chip && targetOf(event);
    if (!target) return;
    event.preventDefault();
    clearTargets();
    dragged = null;
    const time = target.slot ? `${target.slot.dataset.hour}:00` : chip.dataset.time;
    const at = `${target.cell.dataset.date}T${time}`;
    const from = `${chip.closest("td[data-date]").dataset.date}T${chip.dataset.time}`;
    if (at !== from) move(chip, at);
  });

  table.addEventListener("dragend", () => {
    dragged = null;
    clearTargets();
  });

  // An open "Move to…" form is for typing: its post stops being draggable so its fields work normally.
  table.addEventListener("toggle", setDraggable, true);
  canDrag.addEventListener("change", setDraggable);
  addHourSlots();
  setDraggable();
})();
