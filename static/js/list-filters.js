// The programme and municipality lists. Everything here also works without JavaScript.
(() => {
  // Wide screens show the filters beside the results, so their panel is open there
  // (CSS shows it too where the browser supports ::details-content).
  const wide = window.matchMedia("(min-width: 56rem)");
  const panels = document.querySelectorAll("details.filter-panel");
  const openOnWide = () => {
    if (wide.matches) panels.forEach((panel) => { panel.open = true; });
  };
  openOnWide();
  wide.addEventListener("change", openOnWide);

  // A form sends every field, filled in or not; leave the empty ones out of the address
  // (the server would otherwise answer with a redirect to the same address without them).
  document.querySelectorAll("form[data-drop-empty]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const kept = new URLSearchParams();
      for (const [name, value] of new FormData(form, event.submitter)) {
        if (typeof value === "string" && value.trim() !== "") kept.append(name, value);
      }
      event.preventDefault();
      const query = kept.toString();
      const action = new URL(form.action);
      window.location.assign(action.pathname + (query ? "?" + query : ""));
    });
  });
})();
