// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.value ?? source.textContent);
    button.textContent = button.dataset.copied || "Copied";
  }
});
// Draft form: the strategy boxes and the severity note follow the chosen trend's severity gate.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-strategy-gate]");
  if (!select) return;
  const trend = select.value;
  document.querySelectorAll(`#${select.dataset.strategyGate} input[data-trends]`).forEach((box) => {
    const allowed = box.dataset.trends.split(" ").includes(trend);
    box.disabled = !allowed;
    if (!allowed) box.checked = false;
  });
  document.querySelectorAll(".severity-note[data-trend]").forEach((note) => {
    note.hidden = note.dataset.trend !== trend;
  });
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
