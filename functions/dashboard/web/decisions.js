// Decisions waiting for an operator: each choice is a button; a reader sees them without buttons.
import { api } from "./api.js";
import { h } from "./dom.js";

export function decisionsPanel(decisions, operator, refresh) {
  return h(
    "div",
    { class: "panel", id: "decisions" },
    h("h2", {}, `Decisions (${decisions.length})`),
    decisions.map((d) =>
      h(
        "div",
        { class: "decision" },
        h("a", { href: `#/units/${d.unitId}` }, d.unitId.slice(0, 8)),
        h("span", {}, d.description),
        h("span", { class: "mono muted" }, d.key),
        d.pending
          ? operator
            ? d.choices.map((c) =>
                h(
                  "button",
                  {
                    onclick: async () => {
                      await api(`/api/decisions/${d.id}`, { method: "POST", body: { answer: c.value } });
                      refresh();
                    },
                  },
                  c.label,
                ),
              )
            : h("span", { class: "muted" }, "waiting for an operator")
          : h("span", {}, `answered ${JSON.stringify(d.answer)} by ${d.answeredBy}`),
      ),
    ),
  );
}
