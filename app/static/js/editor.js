// The message editor: warn before leaving with unsaved changes. Saving works without this script.
(() => {
  const form = document.getElementById("editor-form");
  if (!form) return;
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
})();
