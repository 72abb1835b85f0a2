import { clicksNote, platformColor, platformLabel, platformOptions, registerPlatforms } from "./platforms";

describe("platforms as the API declares them", () => {
  afterEach(() => registerPlatforms([]));

  it("labels, colours and options come from the registered platforms", () => {
    registerPlatforms([
      { platform: "meta", label: "Meta Ads", colour: "#111111", schema: { properties: {} } },
      { platform: "tiktok_ads", label: "TikTok Ads", colour: "#222222", schema: { properties: {} } },
    ]);
    expect(platformLabel("tiktok_ads")).toBe("TikTok Ads");
    expect(platformColor("meta")).toBe("#111111");
    expect(platformOptions()).toEqual([
      { value: "meta", label: "Meta Ads" },
      { value: "tiktok_ads", label: "TikTok Ads" },
    ]);
  });

  it("an undeclared platform is spelled out and coloured from the palette", () => {
    expect(platformLabel("snap_ads")).toBe("Snap Ads");
    expect(platformLabel(null, "All")).toBe("All");
    expect(platformColor("snap_ads", 0)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("the clicks note names each platform that calls a click otherwise, and nothing when none does", () => {
    registerPlatforms([
      { platform: "meta", label: "Meta Ads", clicks_name: "clicks", schema: { properties: {} } },
      { platform: "apple_search_ads", label: "Apple Search Ads", clicks_name: "taps", schema: { properties: {} } },
    ]);
    expect(clicksNote()).toBe("Apple Search Ads reports taps");
    registerPlatforms([{ platform: "meta", label: "Meta Ads", clicks_name: "clicks", schema: { properties: {} } }]);
    expect(clicksNote()).toBeUndefined();
  });
});
