import { describe, expect, it } from "vitest";
import { idsFor, sipIdOf } from "../../../functions/core/ids.ts";

// Reference values from Python's uuid module (uuid.uuid5), not from the library stepmatica uses.
describe("idsFor", () => {
  it("makes RFC 4122 name-based (SHA-1) ids: the same as Python's uuid5 for the same namespace and name", () => {
    expect(idsFor("6ba7b810-9dad-11d1-80b4-00c04fd430c8").uuid("python.org")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
    // A name outside ASCII is hashed as its UTF-8 bytes.
    expect(idsFor("6f0f4d6e-9a43-5b4b-a2f4-3c1d7e0b5a11").uuid("objects/café/naïve 📄.txt")).toBe(
      "9bfc58bc-0ddf-595d-9b4f-b5dbc7cb5f9d",
    );
  });

  it("gives the same id for the same name again (a retried task makes the same ids)", () => {
    const ids = idsFor("6f0f4d6e-9a43-5b4b-a2f4-3c1d7e0b5a11");
    expect(ids.uuid("a")).toBe(ids.uuid("a"));
    expect(ids.uuid("a")).not.toBe(ids.uuid("b"));
    expect(sipIdOf("6f0f4d6e-9a43-5b4b-a2f4-3c1d7e0b5a11")).toBe(
      idsFor("6f0f4d6e-9a43-5b4b-a2f4-3c1d7e0b5a11").uuid("sip"),
    );
  });
});
